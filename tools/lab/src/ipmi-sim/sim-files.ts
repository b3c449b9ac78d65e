// The files one ipmi_sim instance runs from: lan.conf, the emulation command file and the
// chassis-control script. Formats: OpenIPMI ipmi_lan(5), ipmi_sim_cmd(5), and the
// chassis_control program protocol of lanserv/bmc_chassis.c ("<script> 0x20 get power" prints
// "power:<0|1>"; "<script> 0x20 set power 0|1", "set reset 1").

export interface SimFilesInput {
  /** Directory holding the script, its state and the actions log. No spaces (popen'd by ipmi_sim). */
  dir: string;
  port: number;
  account: string;
  password: string;
  /** Path of the compiled NMI module to loadlib, or undefined for stock ipmi_sim (NMI refused). */
  nmiModule: string | undefined;
  /** Listen address (default 127.0.0.1). */
  address?: string;
}

export const SIM_FILES = {
  lanConf: "lan.conf",
  emu: "sim.emu",
  script: "chassis-control.sh",
  power: "power",
  delay: "delay",
  actions: "actions.log",
  state: "state",
} as const;

const quoted = (value: string): string => {
  if (/["\n\r\\]/.test(value))
    throw new Error(`ipmi_sim configuration value cannot hold quotes or backslashes: ${value}`);
  return `"${value}"`;
};

export function renderLanConf(input: SimFilesInput): string {
  if (/\s/.test(input.dir)) throw new Error(`ipmi_sim directory must not contain spaces: ${input.dir}`);
  const lines = [
    "# Written by the haconn lab (tools/lab/src/ipmi-sim). Listens on loopback, or inside a lab namespace.",
    `name "haconn-ipmi-sim"`,
  ];
  if (input.nmiModule !== undefined)
    lines.push(`loadlib ${quoted(input.nmiModule)} ${quoted(`${input.dir}/${SIM_FILES.actions}`)}`);
  lines.push(
    "set_working_mc 0x20",
    "  startlan 1",
    `    addr ${input.address ?? "127.0.0.1"} ${input.port}`,
    "    priv_limit admin",
    "    allowed_auths_callback none md2 md5 straight",
    "    allowed_auths_user none md2 md5 straight",
    "    allowed_auths_operator none md2 md5 straight",
    "    allowed_auths_admin none md2 md5 straight",
    "    guid a123456789abcdefa123456789abcdef",
    "  endlan",
    `  chassis_control "${input.dir}/${SIM_FILES.script} 0x20"`,
    // user <num> <enabled> <name> <password> <max-priv> <max-sessions> <auths...>
    `  user 2 true ${quoted(input.account)} ${quoted(input.password)} admin 10 none md2 md5 straight`,
    "",
  );
  return lines.join("\n");
}

export function renderEmu(): string {
  return [
    "# One BMC at IPMB 0x20 with a SEL (OpenIPMI ipmi_sim_cmd(5)).",
    "mc_setbmc 0x20",
    "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02",
    "sel_enable 0x20 50 0x0a",
    "mc_enable 0x20",
    "",
  ].join("\n");
}

/**
 * The chassis-control program. Keeps the power state in `power` (1/0), appends
 * "<epoch ms> <action>" to `actions.log` for every set, and sleeps first when `delay` holds a
 * number of seconds (ipmi_sim runs it synchronously, so the whole BMC answers late).
 */
export const CHASSIS_SCRIPT = `#!/bin/sh
dir=$(dirname "$0")
if [ -s "$dir/${SIM_FILES.delay}" ]; then sleep "$(cat "$dir/${SIM_FILES.delay}")"; fi
shift
op=$1
shift
log() { echo "$(date +%s%3N) $1" >> "$dir/${SIM_FILES.actions}"; }
case $op in
get)
  for p in "$@"; do
    case $p in
      power) echo "power:$(cat "$dir/${SIM_FILES.power}" 2>/dev/null || echo 1)" ;;
      boot) echo "boot:default" ;;
      *) echo "Invalid parameter: $p"; exit 1 ;;
    esac
  done ;;
set)
  while [ $# -ge 2 ]; do
    p=$1; v=$2; shift 2
    case $p in
      power)
        echo "$v" > "$dir/${SIM_FILES.power}"
        if [ "$v" = 1 ]; then log on; else log off; fi ;;
      reset)
        # A lab may make the reset real (kill the server's processes, drop its addresses)
        # before the BMC acknowledges, as hardware does.
        if [ -x "$dir/on-reset" ]; then "$dir/on-reset"; fi
        log reset ;;
      *) log "$p=$v" ;;
    esac
  done ;;
*) echo "Unknown operation: $op"; exit 1 ;;
esac
exit 0
`;
