// Compiles the NMI module (nmi-module-source.ts) with gcc into a cache directory, once per
// source version. Concurrent test files may race: each compiles to its own temp name and
// renames into place atomically.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { NMI_MODULE_SOURCE } from "./nmi-module-source.js";

export interface IpmiSimNmiModuleOptions {
  /** Where compiled modules are kept. Default `<tmpdir>/haconn-ipmi-sim-cache`. */
  cacheDir?: string;
  /** C compiler. Default `gcc`. */
  cc?: string;
}

/** Returns the path of the compiled module, compiling it if this source version is not cached. */
export async function buildIpmiSimNmiModule(options: IpmiSimNmiModuleOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? join(tmpdir(), "haconn-ipmi-sim-cache");
  const hash = createHash("sha256").update(NMI_MODULE_SOURCE).digest("hex").slice(0, 16);
  const target = join(cacheDir, `nmi-${hash}.so`);
  if (existsSync(target)) return target;
  await mkdir(cacheDir, { recursive: true });
  const unique = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const source = join(cacheDir, `nmi-${hash}-${unique}.c`);
  const output = join(cacheDir, `nmi-${hash}-${unique}.so`);
  await writeFile(source, NMI_MODULE_SOURCE);
  try {
    const result = await execa(
      options.cc ?? "gcc",
      ["-shared", "-fPIC", "-O2", "-Wall", "-o", output, source],
      {
        reject: false,
        timeout: 60_000,
      },
    );
    if (result.exitCode !== 0)
      throw new Error(
        `cannot compile the ipmi_sim NMI module (is libopenipmi-dev installed?): ${result.stderr}`,
      );
    await rename(output, target);
  } finally {
    await rm(source, { force: true });
    await rm(output, { force: true });
  }
  return target;
}
