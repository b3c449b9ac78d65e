// "One changeset per change of a published package" (.changeset/README.md): which published
// packages changed since a base commit, and which of them the changesets added since then name.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const git = (root: string, ...args: string[]): string =>
  execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The merge base of HEAD and `base`, or undefined when `base` does not exist here. */
export function mergeBase(root: string, base: string): string | undefined {
  try {
    return git(root, "merge-base", "HEAD", base).trim();
  } catch {
    return undefined;
  }
}

/** Files changed since `since` (committed, staged, in the work tree, and new untracked files). */
export function changedFiles(root: string, since: string): string[] {
  const tracked = git(root, "diff", "--name-only", since).split("\n");
  const untracked = git(root, "ls-files", "--others", "--exclude-standard").split("\n");
  return [...new Set([...tracked, ...untracked].filter(Boolean))].sort();
}

/** A file a consumer receives: a package's sources (not its tests), package.json or README. */
export function publishedPackageOf(file: string): string | undefined {
  const m = /^packages\/([^/]+)\/(src\/.+|package\.json|README\.md)$/.exec(file);
  if (!m || /\.test\.ts$/.test(m[2]!)) return undefined;
  return m[1];
}

/** Package names in a changeset's front matter (`"@haconn/x": minor`). */
export function changesetPackages(text: string): string[] {
  const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? "";
  return [...front.matchAll(/^\s*["']?(@?[^"':\s]+)["']?\s*:\s*(major|minor|patch)\s*$/gm)].map((m) => m[1]!);
}

/** Published packages (folder names) changed since `since` that no new changeset names. */
export function missingChangesets(root: string, since: string, names: Map<string, string>): string[] {
  const files = changedFiles(root, since);
  const changed = new Set(files.map(publishedPackageOf).filter((d): d is string => d !== undefined));
  const named = new Set(
    files
      .filter((f) => /^\.changeset\/[^/]+\.md$/.test(f) && f !== ".changeset/README.md")
      .flatMap((f) => {
        try {
          return changesetPackages(readFileSync(join(root, f), "utf8"));
        } catch {
          return []; // deleted since the base (consumed by `changeset version`)
        }
      }),
  );
  return [...changed].filter((dir) => !named.has(names.get(dir) ?? `@haconn/${dir}`)).sort();
}
