// The published packages of the workspace: every folder under packages/ with a package.json.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  type?: string;
  sideEffects?: boolean;
  files?: string[];
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  exports?: Record<string, unknown>;
  publishConfig?: Record<string, unknown> & { exports?: Record<string, unknown> };
  dependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

export interface WorkspacePackage {
  /** Folder name, e.g. `bmc`. */
  dir: string;
  /** Absolute path of the folder. */
  path: string;
  manifest: PackageManifest;
}

/** Every package under packages/, sorted by folder name. */
export function publishedPackages(root = ROOT): WorkspacePackage[] {
  return readdirSync(join(root, "packages"))
    .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
    .sort()
    .map((dir) => {
      const path = join(root, "packages", dir);
      return { dir, path, manifest: JSON.parse(readFileSync(join(path, "package.json"), "utf8")) };
    });
}

/** The subpaths a consumer can import: publishConfig.exports when set (pnpm swaps it in), else exports. */
export function publishedExports(manifest: PackageManifest): Record<string, unknown> {
  return manifest.publishConfig?.exports ?? manifest.exports ?? {};
}
