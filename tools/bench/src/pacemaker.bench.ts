// Fence figures as a real Pacemaker 2.1 + corosync 3 cluster sees them (issue 18 §5), in
// `scripts/bench.sh` (`--only pacemaker`): runs tools/bench/src/pacemaker-figures.test.ts (the
// Pacemaker lab runs from the sources, as the scenarios do) and turns its samples into figures,
// fence_haconn against fence_ipmilan (+ fence_ipdu) on the same simulators in the same run:
// - request → "fenced OK": `stonith_admin --reboot pn2` on pn1 until exit 0 (the history line);
// - the same with a dump notice (fence_kdump_send from pn2 after the NMI);
// - the same with pn2's BMC dead (SIGSTOP: no answer): haconn's PDU fallback vs a fencing
//   topology fence_ipmilan → fence_ipdu; the node must really be cut;
// - kill -9 corosync on the node running Dummy → Dummy started on the survivor (crm_mon).
//   node tools/bench/dist/pacemaker.bench.js [--quick] [--runs N] [--json <file>]
// --quick: 1 trial per case; default 5 (HACONN_PCMK_FIG_RUNS or --runs). Needs root, network
// namespaces and Debian's pacemaker, corosync, fence-agents; elsewhere it reports itself skipped.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { netnsAvailable } from "../../lab/src/netns/index.js";
import type { FigureSamples } from "./pacemaker-figures.test.js";
import { type Figure, figure, peer, quickArg, writeBenchJson } from "./report-json.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const NEEDED = [
  "/usr/sbin/pacemakerd",
  "/usr/sbin/corosync",
  "/usr/sbin/fence_ipmilan",
  "/usr/sbin/fence_ipdu",
];

function runsArg(): number {
  const i = process.argv.indexOf("--runs");
  const v = Number(i >= 0 ? process.argv[i + 1] : (process.env.HACONN_PCMK_FIG_RUNS ?? 5));
  return quickArg() ? 1 : Number.isInteger(v) && v > 0 ? v : 5;
}

const seconds = (ms: number[]) => ms.map((x) => x / 1000);
const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);

export function pacemakerFigures(s: FigureSamples): Figure[] {
  const f = (k: string) => s.fence[k] ?? [];
  const ok = (k: string) => f(k).filter((x) => x.ok);
  const cut = (k: string) => `${f(k).filter((x) => x.cut).length}/${f(k).length}`;
  const okOf = (k: string) => `${ok(k).length}/${f(k).length} OK`;
  const ms = (k: string) => seconds(ok(k).map((x) => x.ms));
  const out: Figure[] = [
    figure(
      `reboot: request → fenced OK, fence_haconn (NMI, 2 s, hw reset; ${okOf("haconn reboot")})`,
      "s",
      ms("haconn reboot"),
      { peer: peer(`fence_ipmilan off+on (${okOf("ipmilan reboot")})`, ms("ipmilan reboot")) },
    ),
    figure(
      `reboot with a dump notice (fence_kdump_send): fence_haconn (${okOf("haconn reboot+dump")})`,
      "s",
      ms("haconn reboot+dump"),
      { peer: peer("fence_ipmilan (ignores the notice)", ms("ipmilan reboot")) },
    ),
    figure(
      `dead BMC: request → fenced OK, fence_haconn PDU fallback (${okOf("haconn dead-bmc")}, cut ${cut("haconn dead-bmc")})`,
      "s",
      ms("haconn dead-bmc"),
      {
        peer: peer(
          `topology fence_ipmilan → fence_ipdu (${okOf("ipmilan dead-bmc")}, cut ${cut("ipmilan dead-bmc")})`,
          ms("ipmilan dead-bmc"),
        ),
      },
    ),
  ];
  const fo = (d: string) => s.failover[d] ?? [];
  const moved = (d: string) => `${defined(fo(d).map((x) => x.dummyMs)).length}/${fo(d).length}`;
  out.push(
    figure(
      `node failure (kill -9 corosync) → Dummy started on the survivor, fence_haconn (${moved("haconn")})`,
      "s",
      seconds(defined(fo("haconn").map((x) => x.dummyMs))),
      {
        peer: peer(
          `fence_ipmilan (${moved("ipmilan")})`,
          seconds(defined(fo("ipmilan").map((x) => x.dummyMs))),
        ),
      },
    ),
    figure(
      "node failure → node fenced (its processes gone), fence_haconn",
      "s",
      seconds(defined(fo("haconn").map((x) => x.fencedMs))),
      { peer: peer("fence_ipmilan", seconds(defined(fo("ipmilan").map((x) => x.fencedMs)))) },
    ),
  );
  return out;
}

function why(): string | undefined {
  if (!netnsAvailable()) return "needs root and network namespaces";
  const missing = NEEDED.filter((f) => !existsSync(f));
  if (missing.length)
    return `needs Debian pacemaker, corosync and fence-agents (missing ${missing.join(", ")})`;
  return undefined;
}

async function main(): Promise<void> {
  const skip = why();
  if (skip) {
    process.stdout.write(`pacemaker bench skipped: ${skip}\n`);
    writeBenchJson({ bench: "pacemaker", figures: [], skipped: skip });
    return;
  }
  const runs = runsArg();
  const dir = mkdtempSync(join(tmpdir(), "haconn-pcmk-bench-"));
  const samplesFile = join(dir, "samples.json");
  process.stdout.write(
    `pacemaker bench: ${runs} trial(s) per case, two labs (fence_haconn, fence_ipmilan)\n`,
  );
  const started = Date.now();
  const code = await new Promise<number | null>((done) => {
    const child = spawn(
      process.execPath,
      [
        join(REPO, "node_modules/vitest/vitest.mjs"),
        "run",
        "--project",
        "bench",
        "tools/bench/src/pacemaker-figures.test.ts",
      ],
      {
        cwd: REPO,
        stdio: ["ignore", "inherit", "inherit"],
        env: { ...process.env, HACONN_PCMK_FIG_RUNS: String(runs), HACONN_PCMK_FIG_JSON: samplesFile },
      },
    );
    const forward = () => child.kill("SIGTERM");
    process.once("SIGTERM", forward);
    child.once("close", (c) => {
      process.off("SIGTERM", forward);
      done(c);
    });
  });
  const samples: FigureSamples | undefined = existsSync(samplesFile)
    ? JSON.parse(readFileSync(samplesFile, "utf8"))
    : undefined;
  rmSync(dir, { recursive: true, force: true });
  if (!samples) {
    process.stderr.write("pacemaker bench: no samples written\n");
    process.exitCode = 1;
    return;
  }
  const figures = pacemakerFigures(samples);
  writeBenchJson({ bench: "pacemaker", figures });
  process.stdout.write(
    `pacemaker bench: ${Math.round((Date.now() - started) / 1000)} s (labs ${JSON.stringify(samples.seconds)}), vitest exit ${code}\n`,
  );
  for (const f of figures)
    process.stdout.write(
      `${f.name}: median ${f.median} s, max ${f.max} s (n=${f.n})${f.peer ? `; ${f.peer.name}: median ${f.peer.median} s, max ${f.peer.max} s (n=${f.peer.n})` : ""}\n`,
    );
  if (code !== 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
