// Child modes of the takeover bench, each run inside a network namespace with
// `ip netns exec <ns> node takeover.bench.js --probe|--echo ...`:
//  - prober (in the HA monitor's namespace): on "check <host> <port> <ms>" sends a reset-path
//    CHECK every <ms>; on "echo <host> <port> <ms>" a small UDP datagram; "stop" stops. Every
//    answer is printed as one JSON line {t, responder, role?} (t: epoch ms, sub-ms precision).
//  - echo responder (in a management server's namespace): answers every datagram on
//    0.0.0.0:<port> with its node name — the service behind keepalived's VIP.
// Nothing here sends anywhere but to the address it is told, inside the bench's namespaces.
import { createSocket, type Socket } from "node:dgram";
import { createInterface } from "node:readline";
import { decodeResetPath, encodeResetPath } from "@haconn/protocol";

export interface ProbeAnswer {
  t: number;
  responder: string;
  role?: string;
}

const wallNow = () => performance.timeOrigin + performance.now();

function checkBytes(requestId: number, replyPort: number, subsystem: number, system: string): Uint8Array {
  return encodeResetPath({
    type: "check",
    header: { requestId, senderId: subsystem, timestampMs: Date.now(), attempt: 0 },
    body: { replyPort, kind: "physical", intervalSec: 1, pairSubsystem: 0, systemName: system, vmName: "" },
  });
}

/** The prober: reads commands on stdin, prints answers on stdout; exits on stdin's end. */
export async function runProber(bindAddr: string, subsystem: number, system: string): Promise<void> {
  const s: Socket = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, bindAddr, () => r()));
  const replyPort = s.address().port;
  let timer: NodeJS.Timeout | undefined;
  let nextId = 1;
  const ids = new Set<number>();
  s.on("message", (m) => {
    const t = wallNow();
    if (m.length > 0 && m[0] === 0x7b /* '{' */) {
      try {
        const echo = JSON.parse(m.toString()) as { responder: string };
        process.stdout.write(`${JSON.stringify({ t, responder: echo.responder })}\n`);
      } catch {
        // not ours
      }
      return;
    }
    const r = decodeResetPath(m, { now: Date.now() });
    if (r.ok && r.value.type === "check-reply" && ids.has(r.value.header.requestId)) {
      const b = r.value.body as { responder: string; role: string };
      process.stdout.write(`${JSON.stringify({ t, responder: b.responder, role: b.role })}\n`);
    }
  });
  s.on("error", () => {
    // ICMP errors while nobody holds the address: keep probing
  });
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    ids.clear();
  };
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, host = "", port = "0", ms = "10"] = line.trim().split(/\s+/);
    stop();
    if (cmd === "check" || cmd === "echo") {
      const send = () => {
        const id = nextId++;
        if (cmd === "check") {
          ids.add(id);
          s.send(checkBytes(id, replyPort, subsystem, system), Number(port), host);
        } else {
          s.send(Buffer.from(`probe ${id}`), Number(port), host);
        }
      };
      send();
      timer = setInterval(send, Number(ms));
    }
    process.stdout.write(`${JSON.stringify({ ack: cmd })}\n`);
  }
  stop();
  s.close();
}

/** The echo responder: answers with its name until stdin ends. */
export async function runEcho(port: number, name: string): Promise<void> {
  const s = createSocket("udp4");
  s.on("message", (_m, from) => {
    s.send(JSON.stringify({ responder: name }), from.port, from.address);
  });
  s.on("error", () => {
    // the prober's socket may be gone; nothing to do
  });
  await new Promise<void>((r) => s.bind(port, "0.0.0.0", () => r()));
  process.stdout.write("echo ready\n");
  for await (const _ of createInterface({ input: process.stdin })) {
    // no commands; stdin's end means stop
  }
  s.close();
}
