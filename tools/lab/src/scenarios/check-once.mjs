// One CHECK from inside a namespace (run with `ip netns exec <ns> node check-once.mjs ...`):
// prints the CHECK-REPLY as JSON, or "timeout". Args: protocolDist connector port bind subsystem system.
// Key mode: signs with, and requires replies signed by, the key file $HACONN_LAB_RESET_KEY names.
import { createSocket } from "node:dgram";
const [dist, host, port, bind, sub, system] = process.argv.slice(2);
const p = await import(dist);
const keyFile = process.env.HACONN_LAB_RESET_KEY;
const ring = keyFile ? p.parseKeyFile((await import("node:fs")).readFileSync(keyFile, "utf8")) : undefined;
const sign = ring ? { auth: { key: ring.send } } : {};
const verify = ring ? { auth: { keys: ring.keys, require: true, replay: new p.ReplayCache() } } : {};
const s = createSocket("udp4");
await new Promise((r) => s.bind(0, bind, r));
const requestId = Math.floor(Math.random() * 1e9) + 1;
const bytes = p.encodeResetPath(
  {
    type: "check",
    header: { requestId, senderId: Number(sub), timestampMs: Date.now(), attempt: 0 },
    body: {
      replyPort: s.address().port,
      kind: "physical",
      intervalSec: 1,
      pairSubsystem: 0,
      systemName: system,
      vmName: "",
    },
  },
  sign,
);
const timer = setTimeout(() => {
  console.log("timeout");
  process.exit(0);
}, 700);
s.on("message", (m) => {
  const r = p.decodeResetPath(m, { now: Date.now(), ...verify });
  if (r.ok && r.value.type === "check-reply" && r.value.header.requestId === requestId) {
    clearTimeout(timer);
    console.log(JSON.stringify(r.value.body));
    process.exit(0);
  }
});
s.send(bytes, Number(port), host);
