// The examples of the packages' READMEs, run as a consumer runs them: the ```ts block that
// follows `<!-- example -->` is written to a file and run with Node (which strips the types),
// importing the packages by name. Addresses, ports and credentials reach it through the
// environment variables each README documents (BMC_*, PDU_*, ESXI_*, HACONN_ETC_DIR), set here
// to the lab's simulators on loopback.

import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The marker that precedes the runnable block of a README. */
export const EXAMPLE_MARKER = "<!-- example -->";

/** The code of the README's example block; throws when there is none or more than one. */
export function extractExample(readme: string, what = "README"): string {
  const blocks = [...readme.matchAll(/<!-- example -->\r?\n```ts\r?\n([\s\S]*?)```/g)];
  if (blocks.length !== 1)
    throw new Error(`${what}: expected one ${EXAMPLE_MARKER} ts block, found ${blocks.length}`);
  return blocks[0]![1]!;
}

/** The example of the package in `packageDir` (its README.md). */
export function readmeExample(packageDir: string): string {
  return extractExample(readFileSync(join(packageDir, "README.md"), "utf8"), packageDir);
}

export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Writes `source` to `<dir>/<name>.ts` and runs it with `node` (the current one) in `dir`, with
 * only PATH, HOME and `env` in its environment. `dir` must resolve `@haconn/*` (a workspace
 * folder that depends on them, or a consumer project that installed them).
 */
export function runExample(
  dir: string,
  name: string,
  source: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<ExampleRun> {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, source);
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", file],
      {
        cwd: dir,
        timeout: timeoutMs,
        killSignal: "SIGKILL",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: env.HOME ?? dir, ...env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}
