// Child-process scripts for the pair scenarios in network namespaces: a VIP sampler and a
// registering HA monitor, each run as its own process (so they go on while a test waits on a
// command), and a reader of their JSON-line output. The namespaces themselves: netns-pair-fixture.ts.

import type { ChildProcess } from "node:child_process";

/** Prints one JSON line per sample: which node namespaces hold the VIP. Args: vip interval ns... */
export const SAMPLER_SCRIPT = `
import { execFileSync } from "node:child_process";
const [vip, interval, ...spaces] = process.argv.slice(2);
for (;;) {
  const holders = spaces.filter((ns) => {
    try {
      return execFileSync("ip", ["-n", ns, "-4", "-o", "addr", "show"], { encoding: "utf8" }).includes(" " + vip + "/");
    } catch {
      return false;
    }
  });
  process.stdout.write(JSON.stringify({ at: Date.now(), holders }) + "\\n");
  await new Promise((r) => setTimeout(r, Number(interval)));
}
`;

/**
 * Key mode for the scripts' monitors: the resetpath.key named by $HACONN_LAB_RESET_KEY (set by
 * the fixture's spawnInMon), read with the protocol module `p`: `sign` for encodeResetPath,
 * `verify` for decodeResetPath. Without the variable, both are empty (unsigned).
 */
export const KEY_SNIPPET = `
const keyFile = process.env.HACONN_LAB_RESET_KEY;
const ring = keyFile ? p.parseKeyFile((await import("node:fs")).readFileSync(keyFile, "utf8")) : undefined;
const sign = ring ? { auth: { key: ring.send } } : {};
const verify = ring ? { auth: { keys: ring.keys, require: true, replay: new p.ReplayCache() } } : {};
`;

/** An HA monitor that only registers: a CHECK every second. Args: protocolDist host port bind sub system. */
export const MONITOR_SCRIPT = `
import { createSocket } from "node:dgram";
const [dist, host, port, bind, sub, system] = process.argv.slice(2);
const p = await import(dist);
${KEY_SNIPPET}
const s = createSocket("udp4");
await new Promise((r) => s.bind(0, bind, r));
let id = Math.floor(Math.random() * 1e8) + 1;
const check = () => s.send(p.encodeResetPath({ type: "check",
  header: { requestId: id++, senderId: Number(sub), timestampMs: Date.now(), attempt: 0 },
  body: { replyPort: s.address().port, kind: "physical", intervalSec: 1, pairSubsystem: 0, systemName: system, vmName: "" } }, sign),
  Number(port), host);
s.on("message", (raw) => {
  const r = p.decodeResetPath(raw, { now: Date.now(), ...verify });
  if (r.ok) process.stdout.write(JSON.stringify({ at: Date.now(), type: r.value.type, body: r.value.body }) + "\\n");
});
check();
setInterval(check, 1000);
`;

/** Collects a child's stdout as JSON lines. */
export function jsonLines<T>(child: ChildProcess, into: T[]): void {
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const p of parts) if (p.trim()) into.push(JSON.parse(p));
  });
}
