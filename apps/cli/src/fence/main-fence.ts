// Entry of fence_haconn (bin/fence_haconn; /usr/sbin/fence_haconn in the RPM). The reset path
// is spoken by @haconn/client, the one implementation of the requester side.
import { appendFileSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { HaconnClient, isClientError, loadKeyFile } from "@haconn/client";
import type { ResetAcceptedBody } from "@haconn/protocol";
import { guardPipes } from "../entry.js";
import { runFenceAgent } from "./agent.js";
import { EC_GENERIC_ERROR, FenceError } from "./errors.js";
import { parseFenceOptions } from "./options.js";

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
    // Mode 0600, owned by this user, no link: the checks of @haconn/client's loadKeyFile.
    loadKey: (p) => loadKeyFile(p),
    appendFile: (p, t) => appendFileSync(p, t, { mode: 0o600 }),
    now: Date.now,
    sleep: (ms) => sleep(ms),
    reset: async (call) => {
      const client = await HaconnClient.open({
        connector: call.connector,
        subsystem: call.senderId,
        keys: call.key,
        bind: { address: "0.0.0.0", port: 0 },
      });
      try {
        const o = await client.reset(
          { subsystem: call.target.subsystem, systemName: call.target.system },
          {
            timeoutMs: call.timeoutMs,
            clusterPort: call.clusterPort,
            fence: call.fence,
            onAccepted: (a) => call.log(`RESET-ACCEPTED phase ${a.phase}`),
          },
        );
        return { kind: "result", result: o.result!, sends: o.sends, accepted: o.accepted !== undefined };
      } catch (e) {
        if (isClientError(e) && (e.code === "CLIENT_TIMEOUT" || e.code === "CLIENT_NO_RESULT")) {
          const d = (e.details ?? {}) as { sends?: number; accepted?: ResetAcceptedBody };
          return { kind: "silent", sends: d.sends ?? 0, accepted: d.accepted };
        }
        // An unsupported version, a socket that cannot bind: a failure with its reason.
        if (isClientError(e)) throw new FenceError("FENCE_FAILED", `Failed: ${e.message}`, { cause: e });
        throw e;
      } finally {
        client.close();
      }
    },
  });
}

// A closed output pipe must not stop a fence half way: the exit status is the agent's answer to
// Pacemaker, so a write to a closed stdout or stderr is dropped and the action goes on.
guardPipes([process.stdout, process.stderr], () => undefined);
process.exitCode = await main();
