// The third-party packages our published packages need at run time, as installed in the
// workspace (pnpm's layout: a package's dependencies are its siblings under .pnpm/<id>/node_modules).

import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";

export interface InstalledPackage {
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown> & { name: string; version: string };
}

function findInstalled(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Every package reachable through `dependencies` and `optionalDependencies` from `startDirs`
 * (package folders), skipping names matched by `skip` (our own, published by pnpm publish).
 */
export function dependencyClosure(
  startDirs: readonly string[],
  skip: (name: string) => boolean,
  /** Packages wanted themselves too (e.g. @types/node for the consumer's type check). */
  extraDirs: readonly string[] = [],
): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const visit = (dir: string, root: boolean): void => {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (!root) {
      const id = `${manifest.name}@${manifest.version}`;
      if (found.has(id)) return;
      found.set(id, { name: manifest.name, version: manifest.version, dir, manifest });
    }
    const deps = { ...manifest.optionalDependencies, ...manifest.dependencies } as Record<string, string>;
    for (const name of Object.keys(deps)) {
      if (skip(name)) continue;
      const installed = findInstalled(dir, name);
      if (installed) visit(installed, false);
      else if (!(name in (manifest.optionalDependencies ?? {})))
        throw new Error(`${manifest.name}: ${name} is not installed`);
    }
  };
  for (const dir of startDirs) visit(realpathSync(dir), true);
  for (const dir of extraDirs) visit(realpathSync(dir), false);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
