// The import graph of the repository's TypeScript sources and its circles. Every relative
// import counts, `import type` included: a type-only circle still ties two files together
// (ARCHITECTURE.md: "no import circles"; narrow interfaces between rooms).

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const SKIP = new Set(["node_modules", "dist", "coverage"]);

/** Every .ts source (not .d.ts) under `dirs`, skipping node_modules, dist and dot-folders. */
export function sourceFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name) || name.startsWith(".")) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.m?ts$/.test(name) && !/\.d\.m?ts$/.test(name)) out.push(path);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return out.sort();
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources), or undefined. */
function resolveRelative(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.(m?)js$/, ".$1ts"), `${base}.ts`, join(base, "index.ts"), base];
  return candidates.find((c) => /\.m?ts$/.test(c) && existsSync(c) && statSync(c).isFile());
}

/** file -> the files it imports (static, dynamic, `export … from`, `import type`). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const deps = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith(".")) continue;
      const target = resolveRelative(file, ref.fileName);
      if (target) deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** The strongly connected components with more than one file (or a file importing itself). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The circles of the repository at `root` (packages/, apps/, tools/), paths relative to it. */
export function repoCircles(root: string): string[][] {
  const files = sourceFiles(["packages", "apps", "tools"].map((g) => join(root, g)));
  return circles(importGraph(files)).map((c) => c.map((f) => relative(root, f)));
}
