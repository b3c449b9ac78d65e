// fence_haconn's metadata, in the shape fence-agents print it (fencing.py metadata()): it
// validates against fence-agents' /usr/share/cluster/relaxng/metadata.rng and is what
// `stonith_admin --metadata --agent fence_haconn` shows.
import {
  DEFAULT_COROSYNC_CONF,
  DEFAULT_KEY_FILE,
  DEFAULT_POWER_TIMEOUT,
  DEFAULT_STATE_FILE,
} from "./options.js";

interface Param {
  name: string;
  getopt: string;
  type: "string" | "integer" | "second" | "boolean";
  required?: boolean;
  default?: string;
  shortdesc: string;
  /** fence-agents' renamed options: `obsoletes` on the new name, `deprecated` on the old one. */
  obsoletes?: string;
  deprecated?: boolean;
}

const PARAMS: Param[] = [
  {
    name: "action",
    getopt: "-o, --action=[action]",
    type: "string",
    required: true,
    default: "reboot",
    shortdesc: "Fencing action",
  },
  {
    name: "ip",
    getopt: "-a, --ip=[ip]",
    type: "string",
    required: true,
    obsoletes: "ipaddr",
    shortdesc: "Reset-path address of the haconn connector pair (its VIP)",
  },
  {
    name: "ipaddr",
    getopt: "-a, --ip=[ip]",
    type: "string",
    required: true,
    deprecated: true,
    shortdesc: "Reset-path address of the haconn connector pair (its VIP)",
  },
  {
    name: "ipport",
    getopt: "-u, --ipport=[port]",
    type: "integer",
    required: true,
    shortdesc: "UDP port of the connector's reset path (haconnsetup resetpath port=)",
  },
  {
    name: "plug",
    getopt: "-n, --plug=[id]",
    type: "string",
    required: true,
    obsoletes: "port",
    shortdesc: "The node's system name as haconn knows it (map node names with pcmk_host_map)",
  },
  {
    name: "port",
    getopt: "-n, --plug=[id]",
    type: "string",
    required: true,
    deprecated: true,
    shortdesc: "The node's system name as haconn knows it (map node names with pcmk_host_map)",
  },
  {
    name: "key_file",
    getopt: "-k, --key-file=[path]",
    type: "string",
    default: DEFAULT_KEY_FILE,
    shortdesc: "Reset-path key file (resetpath.key of the connector, mode 0600)",
  },
  {
    name: "state_file",
    getopt: "--state-file=[path]",
    type: "string",
    default: DEFAULT_STATE_FILE,
    shortdesc: "This node's registration, kept by ocf:haconn:monitor",
  },
  {
    name: "corosync_conf",
    getopt: "--corosync-conf=[path]",
    type: "string",
    default: DEFAULT_COROSYNC_CONF,
    shortdesc: "corosync.conf whose nodelist gives each node's subsystem number (its nodeid)",
  },
  {
    name: "verbose",
    getopt: "-v, --verbose",
    type: "boolean",
    shortdesc:
      "Verbose mode. Multiple -v flags can be stacked on the command line (e.g., -vvv) to increase verbosity.",
  },
  {
    name: "verbose_level",
    getopt: "--verbose-level",
    type: "integer",
    shortdesc: "Level of debugging detail in output.",
  },
  {
    name: "debug_file",
    getopt: "-D, --debug-file=[debugfile]",
    type: "string",
    obsoletes: "debug",
    shortdesc: "Write debug information to given file",
  },
  {
    name: "debug",
    getopt: "-D, --debug-file=[debugfile]",
    type: "string",
    deprecated: true,
    shortdesc: "Write debug information to given file",
  },
  {
    name: "version",
    getopt: "-V, --version",
    type: "boolean",
    shortdesc: "Display version information and exit",
  },
  { name: "help", getopt: "-h, --help", type: "boolean", shortdesc: "Display help and exit" },
  {
    name: "delay",
    getopt: "--delay=[seconds]",
    type: "second",
    default: "0",
    shortdesc: "Wait X seconds before fencing is started",
  },
  {
    name: "power_timeout",
    getopt: "--power-timeout=[seconds]",
    type: "second",
    default: String(DEFAULT_POWER_TIMEOUT),
    shortdesc: "Wait at most X seconds for the connector's reset result (the whole request)",
  },
];

const LONGDESC =
  "fence_haconn fences a node through an haconn connector pair (HA Monitor Connector): it asks " +
  "the active connector over the signed reset path to reset the node and succeeds only when " +
  "the connector answers that the node is down: a dump started after the NMI, a completed " +
  "hardware reset or PDU cut (DUMP), or the node found powered off (POFF). The connector sends " +
  "the NMI first so a kdump is kept, resets the hardware only if no dump starts, and cuts the " +
  "PDU outlets when the BMC is dead; BMC passwords stay on the connector. Every node runs the " +
  "ocf:haconn:monitor clone, which registers it with the connector (CHECK) and receives the " +
  "connector's reset-complete notices. off and on are refused: haconn resets, it never leaves " +
  "a node off; keep stonith-action=reboot (the default) or set pcmk_off_action=reboot.";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function fenceMetadata(): string {
  const lines = [
    '<?xml version="1.0" ?>',
    '<resource-agent name="fence_haconn" shortdesc="Fence agent for haconn (HA Monitor Connector)" >',
    `<longdesc>${esc(LONGDESC)}</longdesc>`,
    "<vendor-url>https://github.com/haconn</vendor-url>",
    "<parameters>",
  ];
  for (const p of PARAMS) {
    const info = p.obsoletes ? ` obsoletes="${p.obsoletes}"` : p.deprecated ? ' deprecated="1"' : "";
    lines.push(`\t<parameter name="${p.name}" unique="0" required="${p.required ? 1 : 0}"${info}>`);
    lines.push(`\t\t<getopt mixed="${esc(p.getopt)}" />`);
    const dflt = p.default !== undefined ? `default="${esc(p.default)}" ` : "";
    lines.push(`\t\t<content type="${p.type}" ${dflt} />`);
    lines.push(`\t\t<shortdesc lang="en">${esc(p.shortdesc)}</shortdesc>`);
    lines.push("\t</parameter>");
  }
  lines.push("</parameters>", "<actions>", '\t<action name="on" automatic="0"/>');
  for (const a of ["off", "reboot", "status", "list", "list-status", "monitor", "metadata", "validate-all"])
    lines.push(`\t<action name="${a}" />`);
  lines.push("</actions>", "</resource-agent>");
  return `${lines.join("\n")}\n`;
}
