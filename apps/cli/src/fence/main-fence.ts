// Entry of fence_haconn (bin/fence_haconn; /usr/sbin/fence_haconn in the RPM).
import { appendFileSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { runFenceAgent } from "./agent.js";
import { EC_GENERIC_ERROR } from "./errors.js";
import { parseFenceOptions } from "./options.js";
import { requestReset, ResetPathSocket } from "./reset-link.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let parsed: ReturnType<typeof parseFenceOptions>;
  try {
    parsed = parseFenceOptions(argv, argv.length > 0 ? "" : await readStdin());
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nPlease use '-h' for usage\n`);
    return EC_GENERIC_ERROR;
  }
  return runFenceAgent(parsed, {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readFile: (p) => readFileSync(p, "utf8"),
    appendFile: (p, t) => appendFileSync(p, t, { mode: 0o600 }),
    now: Date.now,
    sleep: (ms) => sleep(ms),
    reset: async (call) => {
      const sock = await ResetPathSocket.open({ address: "0.0.0.0", port: 0 }, call.key, call.senderId);
      try {
        return await requestReset(sock, {
          connector: call.connector,
          clusterPort: call.clusterPort,
          target: call.target,
          resultTimeoutMs: call.resultTimeoutMs,
          onAccepted: (a) => call.log(`RESET-ACCEPTED phase ${a.phase}`),
        });
      } finally {
        sock.close();
      }
    },
  });
}

process.exitCode = await main();
