// Arguments of the commands that ask haconnd to act (manual §6.8-6.10), checked before anything
// is sent. Each rejection names the argument.
import { NAME_PATTERN, pduKey } from "@haconn/config";
import { parseDeviceAddress, parseInteger, parseSettings, requireSetting } from "./args.js";
import { usage } from "./errors.js";

export const OFFTIME = { min: 5, max: 60, default: 5 } as const;
export const WTIME = { min: 5, max: 60, default: 5 } as const;
/** A management server's serial test: the manual asks for offtime >= 30 s (§6.8, §6.9). */
export const MSERVER_SERIAL_MIN_OFFTIME = 30;
/** HA Monitor subsystem numbers are unsigned 32-bit and never 0 (the reset-path frame). */
export const SUBSYSTEM_MAX = 2 ** 32 - 1;

const NAME = new RegExp(NAME_PATTERN);

/** A system name as `haconnsetup pserver add` registered it: 1-31 letters and digits. */
export function parseServerName(key: string, value: string): string {
  if (value.length < 1 || value.length > 31 || !NAME.test(value)) {
    throw usage(`${key}: "${value}" is not a server name (1-31 letters and digits)`);
  }
  return value;
}

export function parseSubsystem(key: string, value: string): number {
  if (!/^[0-9]{1,10}$/.test(value) || Number(value) < 1 || Number(value) > SUBSYSTEM_MAX) {
    throw usage(`${key}: "${value}" is not a subsystem number (a whole number 1-${SUBSYSTEM_MAX})`);
  }
  return Number(value);
}

function seconds(key: string, value: string, range: { min: number; max: number }): number {
  const n = parseInteger(key, value);
  if (n < range.min || n > range.max)
    throw usage(`${key}: ${n} is outside ${range.min}-${range.max} seconds`);
  return n;
}

export interface IpdusdArgs {
  mode: "same" | "serial";
  addr?: string;
  offtimeSec: number;
  wtimeSec?: number;
}

export interface IpdusdRules {
  /** haconnserver ipdusd: addr= limits the test to one PDU (serial only). */
  allowAddr: boolean;
  /** haconnact/haconnsby ipdusd: a serial test needs offtime >= 30. */
  managementServer: boolean;
}

/** `mode=same|serial [addr=] [offtime=] [wtime=]` with the manual's ranges, defaults and exclusions. */
export function parseIpdusdArgs(tokens: readonly string[], rules: IpdusdRules): IpdusdArgs {
  const allowed = rules.allowAddr ? ["mode", "addr", "offtime", "wtime"] : ["mode", "offtime", "wtime"];
  const settings = parseSettings(tokens, allowed);
  const modeText = requireSetting(settings, "mode").toLowerCase();
  if (modeText !== "same" && modeText !== "serial") throw usage("mode: must be same or serial");
  const mode = modeText;
  if (mode === "same") {
    for (const key of ["addr", "wtime"]) {
      if (settings.has(key)) throw usage(`${key}: not allowed with mode=same (serial tests only)`);
    }
  }
  const offtimeText = settings.get("offtime");
  const offtimeSec = offtimeText === undefined ? OFFTIME.default : seconds("offtime", offtimeText, OFFTIME);
  if (
    rules.managementServer &&
    mode === "serial" &&
    (offtimeText === undefined || offtimeSec < MSERVER_SERIAL_MIN_OFFTIME)
  ) {
    throw usage(
      `offtime: a serial test of a management server needs offtime=${MSERVER_SERIAL_MIN_OFFTIME}-${OFFTIME.max} ` +
        "(the manual requires at least 30 s, or the iLO may not record the power loss)",
    );
  }
  const args: IpdusdArgs = { mode, offtimeSec };
  if (mode === "serial") {
    const wtimeText = settings.get("wtime");
    args.wtimeSec = wtimeText === undefined ? WTIME.default : seconds("wtime", wtimeText, WTIME);
    const addr = settings.get("addr");
    if (addr !== undefined) {
      const parsed = parseDeviceAddress("addr", addr, 161);
      args.addr = pduKey(parsed.addr, parsed.port);
    }
  }
  return args;
}

/** How long an ipdusd test may take: every outlet (at most 4) cut, held and waited for, plus slack. */
export function ipdusdTimeoutMs(args: IpdusdArgs): number {
  return (4 * (args.offtimeSec + (args.wtimeSec ?? 0)) + 180) * 1000;
}
