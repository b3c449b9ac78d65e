// What the ESXi driver costs the daemon's main thread (issue 19), in the thread vs in the ESXi
// worker thread (apps/haconnd/src/esxi-worker/): the daemon's poll load, 16 hosts × 17 guests
// whose status is asked in one turn each round (one command per host), and a burst of one NMI
// per host, with the same simulators (another process). Per mode: the main thread's CPU
// (process.threadCpuUsage) per poll round and per NMI burst, the event loop's longest delay
// while it ran (perf_hooks), and the process's VmHWM growth. Run:
//   node tools/bench/dist/esxi.bench.js --main-thread [--seconds N]   (haconnd built first)
import { fork } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { PowerController } from "@haconn/config";
import { EsxiGuestController, EsxiHost, MemoryHostKeyStore } from "@haconn/esxi";
import { EsxiWorkerClient } from "../../../apps/haconnd/src/esxi-worker/client.js";
import { EsxiGuestProxy, EsxiHostLink } from "../../../apps/haconnd/src/esxi-worker/proxies.js";
import { type Figure, figure } from "./report-json.js";

export const THREAD_HOSTS = 16;
export const THREAD_GUESTS = 17;
const WORKER_URL = new URL("../../../apps/haconnd/dist/esxi-worker.js", import.meta.url);

interface Sim {
  port: number;
  fingerprint: string;
}

interface Fleet {
  guests: PowerController[][];
  close(): Promise<void>;
}

function inThread(sims: Sim[], password: string): Fleet {
  const hosts = sims.map(
    (s) =>
      new EsxiHost({
        addr: "127.0.0.1",
        port: s.port,
        username: "root",
        password,
        hostKey: s.fingerprint,
        hostKeyStore: new MemoryHostKeyStore(),
      }),
  );
  return {
    guests: hosts.map((host) =>
      Array.from(
        { length: THREAD_GUESTS },
        (_, i) => new EsxiGuestController({ host, vmName: `guest${i + 1}` }),
      ),
    ),
    close: async () => {
      await Promise.all(hosts.map((h) => h.close()));
    },
  };
}

function inWorker(sims: Sim[], password: string): Fleet {
  const client = new EsxiWorkerClient({
    hostKeyFile: join(tmpdir(), "haconn-bench-esxi-hostkeys.json"), // pinned keys: never written
    workerUrl: WORKER_URL,
  });
  const links = sims.map((s) => {
    const settings = {
      enabled: true,
      addr: "127.0.0.1",
      port: s.port,
      account: "root",
      password,
      hostKey: s.fingerprint,
    };
    return new EsxiHostLink(client, client.addHost(settings), "127.0.0.1", s.port, "root");
  });
  return {
    guests: links.map((link) =>
      Array.from({ length: THREAD_GUESTS }, (_, i) => new EsxiGuestProxy(link, `guest${i + 1}`)),
    ),
    close: () => client.close(),
  };
}

const threadMs = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

function vmHwmMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function measure(mode: "in-thread" | "worker", fleet: Fleet, seconds: number): Promise<Figure[]> {
  const all = fleet.guests.flat();
  await Promise.all(all.map((g) => g.status({ timeoutMs: 10_000 }))); // connect, cache vmids
  const hwm0 = vmHwmMiB();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const poll: number[] = [];
  const nmi: number[] = [];
  let failures = 0;
  for (let i = 0; i < seconds; i++) {
    const start = performance.now();
    let cpu = threadMs();
    const polled = await Promise.allSettled(all.map((g) => g.status({ timeoutMs: 10_000 })));
    poll.push(threadMs() - cpu);
    cpu = threadMs();
    const nmis = await Promise.allSettled(fleet.guests.map((host) => host[0]!.nmi?.({ timeoutMs: 10_000 })));
    nmi.push(threadMs() - cpu);
    failures += [...polled, ...nmis].filter((r) => r.status === "rejected").length;
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - start))));
  }
  delay.disable();
  const n = `${THREAD_HOSTS} hosts × ${THREAD_GUESTS} guests`;
  console.log(
    `${mode}: ${failures} failed calls; main thread per poll round of ${n}: ${median(poll).toFixed(2)} ms CPU; ` +
      `per burst of ${THREAD_HOSTS} NMIs: ${median(nmi).toFixed(2)} ms CPU; event loop delay max ${(delay.max / 1e6).toFixed(2)} ms, ` +
      `p99 ${(delay.percentile(99) / 1e6).toFixed(2)} ms; VmHWM ${vmHwmMiB().toFixed(1)} MiB (+${(vmHwmMiB() - hwm0).toFixed(1)} while measured)`,
  );
  return [
    figure(`esxi ${mode}: main-thread CPU per poll round (${n})`, "ms", poll),
    figure(`esxi ${mode}: main-thread CPU per burst of ${THREAD_HOSTS} guest NMIs`, "ms", nmi),
    figure(`esxi ${mode}: event loop delay max while polling`, "ms", [delay.max / 1e6]),
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** Both modes against one set of simulators served by `script --serve` in a child process. */
export async function mainThreadCost(script: string, password: string, seconds: number): Promise<Figure[]> {
  const child = fork(script, ["--serve", String(THREAD_HOSTS), String(THREAD_GUESTS)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send({ password });
  const [ready] = (await once(child, "message")) as [{ sims: Sim[] }];
  const figures: Figure[] = [];
  try {
    // The worker first: VmHWM then shows what the worker adds before the in-thread driver ran.
    for (const mode of ["worker", "in-thread"] as const) {
      const fleet = mode === "worker" ? inWorker(ready.sims, password) : inThread(ready.sims, password);
      try {
        figures.push(...(await measure(mode, fleet, seconds)));
      } finally {
        await fleet.close();
      }
    }
  } finally {
    child.send({ stop: true });
    await once(child, "message");
  }
  return figures;
}
