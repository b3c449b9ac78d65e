// The man pages: one per command (section 1, from its commander tree: the same text --help
// prints), haconnd(8) (from the daemon's own --help output) and haconn.json(5) (from the
// configuration schema's rule table and the address rules).
import { ADDRESS_KINDS, FIELD_RULES, fieldLabel, PDU_PROFILE_NAMES } from "@haconn/config";
import { EXIT_TABLE as CLIENT_EXIT_TABLE } from "../client/exit-codes.js";
import { USAGE as CLIENT_USAGE } from "../client/usage.js";
import { EXIT_TABLE } from "../exit-codes.js";
import { USAGE as FENCE_USAGE } from "../fence/agent.js";
import { buildProgram, COMMAND_NAMES, type CommandName, helpText, leaves } from "./programs.js";
import { escapeLine, type Page, renderPage, tagged, verbatim } from "./troff.js";

const EXIT_STATUS = tagged(EXIT_TABLE.map(([code, meaning]) => [String(code), meaning.replaceAll("`", "")]));

const ENVIRONMENT = tagged([
  [
    "HACONN_ETC_DIR",
    "configuration directory (default /etc/opt/hitachi/haconn2): haconn.json, resetpath.key, duplex.key",
  ],
  [
    "HACONN_LOG_DIR",
    "log directory (default /var/opt/hitachi/haconn2/log): clilog*, resetlog*, haconndump archives",
  ],
  ["HACONN_RUN_DIR", "run directory (default /run/haconn2): haconnd's control socket haconnd.sock"],
]);

const FILES = tagged([
  ["/etc/opt/hitachi/haconn2/haconn.json", "the configuration, see haconn.json(5)"],
  ["/var/opt/hitachi/haconn2/log/clilog*", "one line per command run, secrets masked"],
  ["/run/haconn2/haconnd.sock", "haconnd's control socket (root only)"],
]);

const SEE_ALSO = (self: string) => [
  [
    ...[...COMMAND_NAMES, "haconnclient"].filter((c) => c !== self).map((c) => `${c}(1)`),
    "haconnd(8)",
    "haconn.json(5)",
  ]
    .map((r) => `.BR ${r.replace("(", " (")}`)
    .join(",\n"),
  "and /opt/hitachi/haconn2/doc/operations.md.",
];

export function commandPage(name: CommandName, version: string): string {
  const program = buildProgram(name, () => undefined);
  const subcommands = leaves(program);
  const sections: Page["sections"] = [
    ["SYNOPSIS", [`.B ${name}`, escapeLine(program.usage())]],
    ["DESCRIPTION", verbatim(helpText(program))],
  ];
  if (subcommands.length > 0) {
    sections.push([
      "COMMANDS",
      subcommands.flatMap(({ path, command }) => [
        `.SS ${escapeLine([name, ...path].join(" "))}`,
        ...verbatim(helpText(command)),
      ]),
    ]);
  }
  sections.push(
    ["EXIT STATUS", EXIT_STATUS],
    ["ENVIRONMENT", ENVIRONMENT],
    ["FILES", FILES],
    ["SEE ALSO", SEE_ALSO(name)],
  );
  return renderPage({ name, section: 1, summary: program.description(), version, sections });
}

/** haconnd(8): the daemon's own `--help` text (apps/haconnd/src/bin/haconnd.ts), and its unit. */
export function daemonPage(daemonHelp: string, version: string): string {
  return renderPage({
    name: "haconnd",
    section: 8,
    summary: "HA Monitor Connector daemon (installed as /opt/hitachi/haconn2/bin/haconnr2)",
    version,
    sections: [
      ["SYNOPSIS", [".B systemctl start haconnd.service", ".br", ".B /opt/hitachi/haconn2/bin/haconnr2"]],
      ["DESCRIPTION", verbatim(daemonHelp)],
      [
        "SERVICE",
        [
          escapeLine(
            "The systemd unit is haconnd.service (/opt/hitachi/haconn2/etc/haconnd.service, linked into /etc/systemd/system). " +
              "It restarts the daemon after a failure, but not after exit status 78 (the configuration is refused).",
          ),
        ],
      ],
      [
        "EXIT STATUS",
        tagged([
          ["0", "stopped on request"],
          ["78", "the configuration is missing or refused (not restarted)"],
          ["70", "a bug"],
        ]),
      ],
      ["FILES", FILES],
      ["SEE ALSO", SEE_ALSO("haconnd")],
    ],
  });
}

/** haconn.json(5): every field with the rule validation enforces, and the address rules. */
export function configPage(version: string): string {
  const rows = Object.entries(FIELD_RULES)
    .filter(([path]) => path !== "/schemaVersion")
    .map(([path, rule]) => {
      const argument = fieldLabel(path.replaceAll("*", "0"));
      return [`${path}${argument ? `  (argument: ${argument})` : ""}`, rule] as const;
    });
  const kinds = Object.values(ADDRESS_KINDS).map((k) => k.what.replace(/^(a|an|the) /, ""));
  return renderPage({
    name: "haconn.json",
    section: 5,
    summary: "HA Monitor Connector configuration file",
    version,
    sections: [
      ["SYNOPSIS", [escapeLine("/etc/opt/hitachi/haconn2/haconn.json (HACONN_ETC_DIR)")]],
      [
        "DESCRIPTION",
        [
          escapeLine(
            "A JSON document written by haconnsetup(1) (atomically, mode 0600, the previous version kept as haconn.json.bak) and read by haconnd(8) and haconnshow(1). " +
              "Edit it with haconnsetup; a hand-edited file is checked by the same rules and refused whole when one is broken. " +
              "Secrets (BMC and ESXi passwords, the SNMP community) are stored in it, never shown.",
          ),
        ],
      ],
      ["FIELDS", tagged(rows)],
      [
        "ADDRESSES",
        [
          escapeLine(
            `No two of these may use the same IP address: ${kinds.join(", ")} (the manual allows no sharing inside one configuration). ` +
              "The reset-path virtual IP must be a host address of its subnet (not its network or broadcast address); no address may be 0.0.0.0/8, 255.255.255.255, multicast or 240.0.0.0/4. " +
              "Devices written <ip>:<port> with a port other than their standard one (BMC 623, PDU 161, ESXi 22) are lab simulators told apart by that port.",
          ),
          ".PP",
          escapeLine(
            `Server names are unique across management and managed servers, ignoring case. PDU profiles: ${PDU_PROFILE_NAMES.join(", ")}, or none (chosen by firmware).`,
          ),
        ],
      ],
      ["FILES", FILES],
      ["SEE ALSO", SEE_ALSO("haconn.json")],
    ],
  });
}

/**
 * haconnclient(1): its `--help` text (client/usage.ts, which also holds the exit statuses). It
 * runs on HA nodes as any user and reads no configuration of the connector.
 */
export function clientPage(version: string): string {
  return renderPage({
    name: "haconnclient",
    section: 1,
    summary: "speak the haconn reset path as an HA monitor, fencing client or dump notifier",
    version,
    sections: [
      [
        "SYNOPSIS",
        [".B haconnclient", escapeLine("<command> --connector <ip>[:<port>] --subsystem <n> [options]")],
      ],
      ["DESCRIPTION", verbatim(CLIENT_USAGE)],
      ["EXIT STATUS", verbatim(CLIENT_EXIT_TABLE.split("\n").slice(1).join("\n"))],
      [
        "FILES",
        tagged([
          ["/etc/opt/hitachi/haconn2/resetpath.key", "the reset-path key (mode 0600, owned by the caller)"],
        ]),
      ],
      ["SEE ALSO", SEE_ALSO("haconnclient")],
    ],
  });
}

/**
 * fence_haconn(8): its `--help` text, as fence-agents ship a page per agent; the parameters'
 * full descriptions are in `fence_haconn -o metadata` (docs/pacemaker.md).
 */
export function fencePage(version: string): string {
  return renderPage({
    name: "fence_haconn",
    section: 8,
    summary: "Pacemaker fence agent that resets a node through the haconn connector pair",
    version,
    sections: [
      ["SYNOPSIS", [".B fence_haconn", escapeLine("[options]  (or key=value lines on standard input)")]],
      ["DESCRIPTION", verbatim(FENCE_USAGE)],
      [
        "EXIT STATUS",
        tagged([
          ["0", "done: the node is down (haconn answered DUMP or POFF), or the action succeeded"],
          ["1", "failed: FAIL, ERROR or no answer from the connector, bad options, off/on refused"],
          ["2", "status: the node is off"],
        ]),
      ],
      [
        "SEE ALSO",
        [".BR stonith_admin (8),", ".BR haconnclient (1),", "and /opt/hitachi/haconn2/doc/operations.md."],
      ],
    ],
  });
}
