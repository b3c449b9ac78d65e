// One vitest configuration for the whole tree. Every workspace folder with a src/ is a project
// named after its folder (`config`, `bmc`, `lab`, ...), so `vitest run --project bmc` runs one.
// `@haconn/*` resolves to sources, so tests never wait for a build.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));
const groups = ["packages", "apps", "tools"];

/**
 * Files that load the whole machine on purpose and assert that nothing is lost under that load
 * (the manual's maxima: 256 HA monitors, 32 simultaneous resets on 32 ipmi_sim; a real three-node
 * Pacemaker + corosync cluster behind ipmi_sim BMCs with the connector pair): they run alone,
 * after everything else, as the project `<name>-alone` (e.g. `vitest run --project lab-alone`).
 */
const ALONE: Record<string, string[]> = {
  lab: [
    "src/scenarios/faults-load.test.ts",
    "src/scenarios/pacemaker-fence.test.ts",
    "src/lab/pacemaker-drill.test.ts",
  ],
};

const alias: { find: RegExp; replacement: string }[] = [];
const projects: object[] = [];
for (const group of groups) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const src = join(dir, name, "src");
    if (!existsSync(src)) continue;
    if (group === "packages") {
      alias.push({ find: new RegExp(`^@haconn/${name}/test$`), replacement: join(src, "test/index.ts") });
      alias.push({ find: new RegExp(`^@haconn/${name}$`), replacement: join(src, "index.ts") });
    }
    if (name === "lab") alias.push({ find: /^@haconn\/lab$/, replacement: join(src, "index.ts") });
    const alone = ALONE[name] ?? [];
    projects.push({
      resolve: { alias },
      test: {
        name,
        root: join(dir, name),
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        exclude: ["**/node_modules/**", ...alone],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    });
    if (alone.length) {
      projects.push({
        resolve: { alias },
        test: {
          name: `${name}-alone`,
          root: join(dir, name),
          include: alone,
          testTimeout: 30_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      });
    }
  }
}

// Two test files at a time. Vitest's default is one less than the cores (1 here, on 2 cores),
// which ran the suite file by file; the scenarios spend most of their time waiting on
// simulators, daemons and timers, not on the CPU, and each uses its own loopback addresses,
// ports and network namespaces. HACONN_TEST_WORKERS=1 runs them one by one again.
const workers = Number(process.env.HACONN_TEST_WORKERS ?? 2);

export default defineConfig({
  resolve: { alias },
  test: { projects, pool: "forks", maxWorkers: workers > 0 ? workers : 2 },
});
