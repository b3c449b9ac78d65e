// The bad-input table (issue #20 step 3): every command, every class of bad argument. Each case
// names the command, the argument line (split on blanks), optional stdin, the exit status and a
// pattern the message must match. Generated rows (address x argument, value x number) keep the
// table short to read; the `cls` of each case names its class (the report counts them).
import type { CommandName as Command } from "../testing/mains.js";

export type { Command };

export interface BadInput {
  /** The class of bad input (the report counts cases per class). */
  cls: string;
  cmd: Command;
  line: string;
  stdin?: string;
  exit: number;
  /** What the message (stderr) must say. */
  message: RegExp;
}

const PW = "Passw0rd!\n";
const NOT_IPV4 = /is not an IPv4 address|port \d* ?is outside 1-65535|give the address with its subnet mask/;
const cases: BadInput[] = [];
const add = (cls: string, cmd: Command, line: string, message: RegExp, extra: Partial<BadInput> = {}) =>
  cases.push({ cls, cmd, line, exit: 1, message, ...extra });

// 1. The issue's accepted-before cases (#1-15), in its own words.
add(
  "issue-20",
  "haconnsetup",
  "resetpath addr=127.0.0.0/24",
  /resetpath addr: 127\.0\.0\.0 is the network address/,
);
add(
  "issue-20",
  "haconnsetup",
  "resetpath addr=127.0.0.255/24",
  /resetpath addr: 127\.0\.0\.255 is the broadcast address/,
);
add("issue-20", "haconnsetup", "resetpath addr=0.0.0.0/24", /resetpath addr: 0\.0\.0\.0 is in 0\.0\.0\.0\/8/);
add(
  "issue-20",
  "haconnsetup",
  "resetpath addr=255.255.255.255/32",
  /resetpath addr: 255\.255\.255\.255 is the broadcast address/,
);
add(
  "issue-20",
  "haconnsetup",
  "resetpath addr=224.0.0.1/24",
  /resetpath addr: 224\.0\.0\.1 is a multicast address/,
);
add(
  "issue-20",
  "haconnsetup",
  "resetpath addr=127.0.0.11/24",
  /management server HACON1 addr: 127\.0\.0\.11 is already used by resetpath addr/,
);
add(
  "issue-20",
  "haconnsetup",
  "mserver add hacon1 addr=127.0.0.13 account=admin check=off",
  /(name hacon1 is already used by management server HACON1|at most 2 management servers)/,
  { stdin: PW },
);
add(
  "issue-20",
  "haconnsetup",
  "pserver add pserver1 addr=127.0.0.33 account=admin",
  /managed server pserver1 name: name pserver1 is already used by managed server PSERVER1 \(names are compared ignoring case\)/,
  { stdin: PW },
);
add(
  "issue-20",
  "haconnsetup",
  "pserver add HACON1 addr=127.0.0.33 account=admin",
  /managed server HACON1 name: name HACON1 is already used by another management server/,
  { stdin: PW },
);
add(
  "issue-20",
  "haconnsetup",
  "mlan HACON2 addr=127.0.0.21",
  /management server HACON2 mlan addr: 127\.0\.0\.21 is already used by management server HACON1 mlan addr/,
);
add(
  "issue-20",
  "haconnsetup",
  "mlan HACON2 addr=127.0.0.50",
  /management server HACON2 mlan addr: 127\.0\.0\.50 is already used by resetpath addr \(the reset-path virtual IP\)/,
);
add(
  "issue-20",
  "haconnsetup",
  "mlan HACON1 addr=127.0.0.11",
  /management server HACON1 mlan addr: 127\.0\.0\.11 is already used by management server HACON1 addr \(an iLO\/BMC address\)/,
);
add(
  "issue-20",
  "haconnsetup",
  "vserver PSERVER1 addr=127.0.0.31",
  /managed server PSERVER1 vserver addr: 127\.0\.0\.31 is already used by managed server PSERVER1 addr/,
);
add(
  "issue-20",
  "haconnsetup",
  "ipdu add 127.0.0.31 model=IBM_PDU",
  /PDU 127\.0\.0\.31 addr: 127\.0\.0\.31 is already used by managed server PSERVER1 addr/,
);
add(
  "issue-20",
  "haconnsetup",
  "ipdu add 127.0.3.2 model=IBM_PDU profile=col13",
  /PDU 127\.0\.3\.2 profile: unknown profile "col13" \(known: ibm-col11, ibm-col13/,
);

// 2. Addresses: malformed, not a host, or already another device's, in every address argument.
const SYNTAX = [
  "127.0.0.256",
  "abc",
  "1.2.3",
  "01.2.3.4",
  "1.2.3.4.5",
  "127.0.0.1:0",
  "127.0.0.1:65536",
  "127.0.0.1:",
  "",
];
const NOT_HOST: [string, RegExp][] = [
  ["0.0.0.0", /0\.0\.0\.0\/8/],
  ["0.1.2.3", /0\.0\.0\.0\/8/],
  ["255.255.255.255", /broadcast address/],
  ["224.0.0.1", /multicast address/],
  ["239.255.255.250", /multicast address/],
  ["240.0.0.1", /reserved range/],
];
// Other devices' addresses: the VIP, an iLO, a duplex LAN, a BMC, an ESXi, a PDU.
const TAKEN = ["127.0.0.50", "127.0.0.11", "127.0.0.21", "127.0.0.31", "127.0.0.41", "127.0.3.1"];
const ADDRESS_ARGS: { line: (v: string) => string; stdin?: string; own: string[] }[] = [
  { line: (v) => `pserver add PNEW addr=${v} account=admin`, stdin: PW, own: [] },
  { line: (v) => `pserver mod PSERVER2 addr=${v}`, own: [] },
  { line: (v) => `mserver mod HACON2 addr=${v} check=off`, own: [] },
  { line: (v) => `mlan HACON2 addr=${v}`, own: [] },
  { line: (v) => `vserver PSERVER2 addr=${v}`, own: ["127.0.0.41"] },
  { line: (v) => `ipdu add ${v} model=IBM_PDU`, own: [] },
  { line: (v) => `resetpath addr=${v}/24`, own: ["127.0.0.50"] },
];
for (const arg of ADDRESS_ARGS) {
  const extra = arg.stdin === undefined ? {} : { stdin: arg.stdin };
  for (const v of SYNTAX) add("address-syntax", "haconnsetup", arg.line(v), NOT_IPV4, extra);
  for (const [v, why] of NOT_HOST) add("address-not-a-host", "haconnsetup", arg.line(v), why, extra);
  for (const v of TAKEN.filter((t) => !arg.own.includes(t)))
    add(
      "address-taken",
      "haconnsetup",
      arg.line(v),
      new RegExp(`${v.replaceAll(".", "\\.")} is already used by `),
      extra,
    );
}
for (const v of SYNTAX) {
  add("address-syntax", "haconnsetup", `pserver ipduadd PSERVER2 addr=${v} concent=2`, NOT_IPV4);
  add("address-syntax", "haconnshow", `ipdu addr=${v}`, NOT_IPV4);
  add("address-syntax", "haconnserver", `ipdusd PSERVER1 mode=serial addr=${v}`, NOT_IPV4);
}
for (const v of ["127.0.0.50", "127.0.0.11", "127.0.3.9", "127.0.3.1:1161"])
  add(
    "not-registered",
    "haconnsetup",
    `pserver ipduadd PSERVER2 addr=${v} concent=2`,
    /is not registered \(haconnsetup ipdu add\)/,
  );

// 3. Numbers out of range or not numbers.
const numbers: [string, string[], RegExp][] = [
  [
    "pserver mod PSERVER1 timeout=%",
    ["0", "4", "61", "-1", "abc", "1.5", "", "10000000000"],
    /timeout: (.*must be 5-60 seconds|"[^"]*" is not a whole number)/,
  ],
  [
    "mserver mod HACON1 ipdusd=on timeout=%",
    ["0", "4", "61", "x"],
    /timeout: (.*must be 5-60 seconds|"[^"]*" is not a whole number)/,
  ],
  [
    "pserver mod PSERVER1 recoverytime=%",
    ["1", "4", "61", "-5", "x", ""],
    /recoverytime: (.*must be 0 \(never restore\) or 5-60|"[^"]*" is not a whole number)/,
  ],
  [
    "mserver mod HACON1 cipher=% check=off",
    ["18", "99", "-1", "a"],
    /cipher: (.*cipher suite 0-17|"[^"]*" is not a whole number)/,
  ],
  [
    "pserver mod PSERVER1 cipher=%",
    ["18", "x"],
    /cipher: (.*cipher suite 0-17|"[^"]*" is not a whole number)/,
  ],
  [
    "resetpath port=%",
    ["0", "5000", "65536", "99999", "abc", ""],
    /port: (.*must be 5001-65535|"[^"]*" is not a whole number)/,
  ],
  [
    "mlan HACON1 port=%",
    ["5000", "65536", "x"],
    /port: (.*must be 5001-65535|"[^"]*" is not a whole number)/,
  ],
  ["mlan HACON1 port=%", ["20001"], /port 20001 is the reset-path port/],
  ["vserver PSERVER2 port=%", ["0", "65536", "x"], /port: (.*must be 1-65535|"[^"]*" is not a whole number)/],
  [
    "pserver ipduadd PSERVER2 addr=127.0.3.1 concent=%",
    ["0", "13", "x", ""],
    /concent: (.*outlet \(concent\) number 1-12|"[^"]*" is not a whole number)/,
  ],
  [
    "pserver ipduadd PSERVER2 addr=127.0.3.1 concent=%",
    ["1"],
    /outlet 1 of PDU 127\.0\.3\.1 is already used by managed server PSERVER1/,
  ],
  ["hispeed resettime=%", ["900", "5100", "0", "10000"], /resettime: must be 1000-5000 ms/],
  ["hispeed resettime=%", ["2550", "1050", "999", "5001"], /resettime: must be a multiple of 100 ms/],
  ["hispeed resettime=%", ["abc", "", "1e3"], /resettime: "[^"]*" is not a whole number/],
  ["kdump port=%", ["0", "65536", "x"], /port: (.*must be 1-65535|"[^"]*" is not a whole number)/],
  ["kdump port=%", ["20001"], /is the reset-path port; the fence_kdump port must differ/],
];
for (const [pattern, values, message] of numbers)
  for (const v of values) add("number", "haconnsetup", pattern.replace("%", v), message);

const ipdusd: [string, RegExp][] = [
  ["ipdusd", /mode: required/],
  ["ipdusd mode=bogus", /mode: must be same or serial/],
  ["ipdusd mode=same wtime=5", /wtime: not allowed with mode=same/],
  ["ipdusd mode=same offtime=4", /offtime: 4 is outside 5-60 seconds/],
  ["ipdusd mode=same offtime=61", /offtime: 61 is outside 5-60 seconds/],
  ["ipdusd mode=same offtime=x", /offtime: "x" is not a whole number/],
  ["ipdusd mode=serial", /offtime: a serial test of a management server needs offtime=30-60/],
  ["ipdusd mode=serial offtime=29", /offtime: a serial test of a management server needs offtime=30-60/],
  ["ipdusd mode=serial offtime=30 wtime=61", /wtime: 61 is outside 5-60 seconds/],
  ["ipdusd mode=serial offtime=30 wtime=4", /wtime: 4 is outside 5-60 seconds/],
  ["ipdusd mode=same addr=127.0.3.1", /addr: unknown argument/],
  ["ipdusd mode=same mode=serial", /mode: given twice/],
  ["ipdusd same", /"same": expected key=value/],
];
for (const cmd of ["haconnact", "haconnsby"] as const)
  for (const [line, message] of ipdusd) add("daemon-args", cmd, line, message);

const server: [string, RegExp][] = [
  ["ipdusd PSERVER1", /mode: required/],
  ["ipdusd PSERVER1 mode=bogus", /mode: must be same or serial/],
  ["ipdusd PSERVER1 mode=same wtime=5", /wtime: not allowed with mode=same/],
  ["ipdusd PSERVER1 mode=same addr=127.0.3.1", /addr: not allowed with mode=same/],
  ["ipdusd PSERVER1 mode=same offtime=4", /offtime: 4 is outside 5-60/],
  ["ipdusd PSERVER1 mode=serial wtime=61", /wtime: 61 is outside 5-60/],
  ["ipdusd PSERVER1 mode=serial offtime=abc", /offtime: "abc" is not a whole number/],
  ["ipdusd PSERVER_1 mode=same", /<server name>: "PSERVER_1" is not a server name/],
  ["reset PSERVER1", /address: required/],
  ["reset PSERVER1 address=0", /address: "0" is not a subsystem number/],
  ["reset PSERVER1 address=4294967296", /address: "4294967296" is not a subsystem number/],
  ["reset PSERVER1 address=abc", /address: "abc" is not a subsystem number/],
  ["reset PSERVER1 address=-1", /address: "-1" is not a subsystem number/],
  ["reset PSERVER_1 address=10001", /<server name>: "PSERVER_1" is not a server name/],
  ["reset PSERVER1 address=10001 mode=same", /mode: unknown argument/],
  ["acrecovery PSERVER_1", /<server name>: "PSERVER_1" is not a server name/],
  [`acrecovery ${"A".repeat(32)}`, /is not a server name \(1-31 letters and digits\)/],
  ["acrecovery PSERVER1 extra", /error: too many arguments/],
];
for (const [line, message] of server) add("daemon-args", "haconnserver", line, message);

// 4. Names, character sets, secrets, profiles, models, on/off words.
const NAME = /name: must be 1-31 alphanumeric characters/;
for (const [name, message] of [
  ["PSERVER_3", NAME],
  ["P.S", NAME],
  ["A".repeat(32), NAME],
  ["PSERVER1", /PSERVER1: managed server already registered/],
  ["pserver2", /name pserver2 is already used by managed server PSERVER2/],
  ["hacon2", /name hacon2 is already used by management server HACON2/],
  ["HACON2", /name HACON2 is already used by another management server/],
] as [string, RegExp][])
  add("name", "haconnsetup", `pserver add ${name} addr=127.0.0.39 account=admin`, message, { stdin: PW });
for (const [name, message] of [
  [
    "pserver2",
    /name PSERVER2 is already used by managed server pserver2 \(names are compared ignoring case\)/,
  ],
  ["HACON1", /name HACON1 is already used by another management server/],
  ["bad_name", NAME],
  ["", NAME],
] as [string, RegExp][])
  add("name", "haconnsetup", `pserver mod PSERVER1 name=${name}`, message);
const CHARSET = /account: must be 1-16 characters, printable ASCII except space/;
for (const account of [
  "ad#min",
  "ad$min",
  "ad'min",
  'ad"min',
  "ad;min",
  "ad\\min",
  "a".repeat(17),
  "admé",
  "",
])
  add(
    "charset",
    "haconnsetup",
    `pserver mod PSERVER1 account=${account}`,
    account === "" ? /account: must be 1-16/ : CHARSET,
    { stdin: PW },
  );
for (const [pw, message] of [
  ["short", /password: must be 8-20 characters/],
  ["a".repeat(21), /password: must be 8-20 characters/],
  ["has#hash1", /password: must be 8-20 characters, printable ASCII/],
  ["pass word1", /password: must be 8-20 characters, printable ASCII/],
] as [string, RegExp][])
  add("secret", "haconnsetup", "pserver mod PSERVER1 account=admin", message, { stdin: `${pw}\n` });
add(
  "secret",
  "haconnsetup",
  "pserver mod PSERVER1 account=admin",
  /password: standard input is not a terminal/,
  { stdin: "", exit: 2 },
);
add(
  "charset",
  "haconnsetup",
  `vserver PSERVER2 account=${"r".repeat(40)}`,
  /vserver account: must be 1-39 characters/,
  { stdin: "esxi-pw\n" },
);
add("secret", "haconnsetup", "vserver PSERVER2 account=root", /vserver password: must be 1-38 characters/, {
  stdin: `${"p".repeat(39)}\n`,
});
for (const community of ["bad_comm", "c".repeat(31), "x-y"])
  add("secret", "haconnsetup", `snmp name=${community}`, /snmp name: must be 1-30 alphanumeric characters/);
for (const key of ["SHA256:short", "MD5:aa:bb", "sha256"])
  add(
    "hostkey",
    "haconnsetup",
    `vserver PSERVER2 hostkey=${key}`,
    /vserver hostkey: must be a host key fingerprint SHA256:/,
  );
for (const profile of ["col13", "ibm-col99", "IBM-COL11"])
  add("profile", "haconnsetup", `ipdu add 127.0.3.9 model=IBM_PDU profile=${profile}`, /unknown profile/);
add(
  "profile",
  "haconnsetup",
  "ipdu add 127.0.3.9 model=IBM_PDU profile=a/b",
  /profile: must be a profile name/,
);
add(
  "model",
  "haconnsetup",
  "ipdu add 127.0.3.9 model=APC",
  /model: "APC" is not supported \(supported: IBM_PDU\)/,
);
add("model", "haconnsetup", "ipdu add 127.0.3.9", /model: required/);
for (const [line, message] of [
  ["pserver mod PSERVER1 cluster=yes", /cluster: must be on or off/],
  ["pserver mod PSERVER1 ipdusd=1", /ipdusd: must be on or off/],
  ["vserver PSERVER2 VMware=true", /VMware: must be Enable or Disable/],
  ["mserver mod HACON1 cipher=3 check=maybe", /check: must be on or off/],
  ["resetpath insecure=yes", /insecure: must be on or off/],
  ["resetpath key=old", /key: only key=new is accepted/],
  ["hamonitor PSERVER1 allow=300.1.1.1", /allow/],
] as [string, RegExp][])
  add("word", "haconnsetup", line, message);

// 5. Objects that are not registered, or changes that would break a registered one.
for (const [line, message] of [
  ["pserver mod NOSUCH cluster=on", /NOSUCH: no such managed server/],
  ["pserver del NOSUCH", /NOSUCH: no such managed server/],
  ["mserver del NOSUCH", /NOSUCH: no such management server/],
  ["mserver mod NOSUCH ipdusd=off", /NOSUCH: no such management server/],
  ["mlan NOSUCH addr=127.0.0.29", /NOSUCH: no such management server/],
  ["vserver NOSUCH VMware=Enable", /NOSUCH: no such managed server/],
  ["hamonitor NOSUCH allow=any", /NOSUCH: no such managed server/],
  ["pserver ipduadd NOSUCH addr=127.0.3.1 concent=2", /NOSUCH: no such managed server/],
  ["mserver ipdudel NOSUCH", /NOSUCH: no such management server/],
  ["ipdu del 127.0.3.9", /127\.0\.3\.9: no such PDU/],
  ["ipdu del 127.0.3.1", /PDU still feeds PSERVER1/],
  ["ipdu del *", /PDU still feeds PSERVER1/],
  ["pserver ipdudel PSERVER1 addr=127.0.3.1", /concent: give addr= and concent= together/],
  ["pserver ipdudel PSERVER1 addr=127.0.3.1 concent=5", /PSERVER1: no link to 127\.0\.3\.1 concent 5/],
  ["pserver mod PSERVER1 ipdusd=off timeout=5", /timeout: is only used with ipdusd=on/],
  ["pserver mod PSERVER2 ipdusd=on", /timeout: is required when ipdusd=on/],
  ["mserver add HACON3 addr=127.0.0.13 account=admin check=off", /management servers: at most 2/],
] as [string, RegExp][])
  add("registered", "haconnsetup", line, message, line.includes("account=") ? { stdin: PW } : {});

// 6. Command-line syntax of every command.
const SYNTAX_ERR =
  /error: (unknown command|unknown option|too many arguments|missing required argument)|expected key=value|unknown argument|given twice|nothing to change|give |required/;
for (const line of [
  "bogus",
  "mserver bogus",
  "pserver add",
  "ipdu add",
  "resetpath",
  "resetpath colour=blue",
  "resetpath port=6000 port=6001",
  "resetpath 6000",
  "hispeed",
  "hispeed on",
  "kdump",
  "kdump maybe",
  "--bogus",
  "mlan HACON1",
  "mserver mod HACON1",
  "vserver PSERVER2",
  "pserver mod PSERVER1 =x",
  "snmp private",
  "pserver del PSERVER1 extra",
  "mserver del HACON1 now=yes",
])
  add("syntax", "haconnsetup", line, SYNTAX_ERR);
for (const line of [
  "bogus",
  "status x",
  "status name=x",
  "setting --bogus",
  "hamonitor PSERVER1",
  "hamonitor server=P",
  "ipdu foo=bar",
  "version extra",
  "--bogus",
  "hamonitor name=PSERVER_1",
])
  add(
    "syntax",
    "haconnshow",
    line,
    /error: (unknown command|unknown option|too many arguments)|unknown argument|expected key=value|is not a server name/,
  );
for (const line of ["bogus", "copy extra", "reload --bogus", "restart x=y", "shutdown now"])
  add("syntax", "haconnact", line, /error: (unknown command|unknown option|too many arguments)/);
for (const line of ["bogus", "restart now", "shutdown x", "--bogus"])
  add("syntax", "haconnsby", line, /error: (unknown command|unknown option|too many arguments)/);
for (const line of ["bogus", "reset", "ipdusd", "acrecovery"])
  add("syntax", "haconnserver", line, /error: (unknown command|missing required argument)/);
for (const line of ["extra", "--bogus", "-x", "a b"])
  add("syntax", "haconndump", line, /error: (unknown option|too many arguments)/);

export const BAD_INPUTS: readonly BadInput[] = cases;
