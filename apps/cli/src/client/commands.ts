// The four haconnclient commands on an open HaconnClient. Each returns the exit status.
import { ClientError, type HaconnClient } from "@haconn/client";
import { EXIT, exitForResult } from "./exit-codes.js";
import type { ClientCommand } from "./options.js";
import { acceptedLine, attentionLine, checkLine, dumpLine, resultLine } from "./output.js";

export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  /** Fires on SIGINT / SIGTERM (listen stops, a waiting reset gives up). */
  stop?: AbortSignal;
}

export async function runClientCommand(
  c: ClientCommand,
  client: HaconnClient,
  io: CommandIo,
): Promise<number> {
  switch (c.command) {
    case "check": {
      const o = await client.check(c.registration!, { timeoutMs: c.timeoutMs!, signal: io.stop });
      io.out(checkLine(o, c.json));
      return o.resettable ? EXIT.OK : EXIT.INCOMPLETE;
    }
    case "reset": {
      const o = await client.reset(c.target!, {
        timeoutMs: c.timeoutMs!,
        signal: io.stop,
        ...(c.clusterPort ? { clusterPort: c.clusterPort } : {}),
        ...(c.fence ? { fence: true } : {}),
        onAccepted: (a) => io.out(acceptedLine(a, c.json)),
      });
      io.out(resultLine(o, c.json));
      return exitForResult(o.result!.result);
    }
    case "dump-notice": {
      const o = await client.dumpNotice(
        { clusterPort: c.clusterPort, systemName: c.registration?.systemName ?? "" },
        { durationMs: c.timeoutMs!, signal: io.stop },
      );
      io.out(dumpLine(o, c.json));
      return o.accepted ? EXIT.OK : o.ack ? EXIT.INCOMPLETE : EXIT.SILENT;
    }
    case "listen":
      return listen(c, client, io);
  }
}

async function listen(c: ClientCommand, client: HaconnClient, io: CommandIo): Promise<number> {
  let heard = 0;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  client.onAttention((a, info) => {
    io.out(attentionLine(a, info, c.json));
    heard += 1;
    if (c.count !== undefined && heard >= c.count) finish(EXIT.OK);
  });
  // The first CHECK must be answered: without a registration no ATTENTION ever comes.
  const first = await client.check(c.registration!, {
    timeoutMs: Math.min(c.timeoutMs ?? 5000, 5000),
    signal: io.stop,
  });
  io.out(checkLine(first, c.json));
  let lastWarning = 0;
  const stopChecks = client.startChecks(c.registration!, c.intervalMs, {
    onError: (e) => {
      // A silent connector while listening: say so, at most once a minute.
      const now = Date.now();
      if (now - lastWarning < 60_000) return;
      lastWarning = now;
      io.err(`haconnclient: ${e instanceof ClientError ? e.message : String(e)} (still listening)`);
    },
  });
  const timer = c.timeoutMs === undefined ? undefined : setTimeout(() => finish(EXIT.OK), c.timeoutMs);
  const onStop = () => finish(EXIT.OK);
  io.stop?.addEventListener("abort", onStop, { once: true });
  try {
    return await done;
  } finally {
    stopChecks();
    if (timer) clearTimeout(timer);
    io.stop?.removeEventListener("abort", onStop);
  }
}
