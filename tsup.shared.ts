// Shared tsup settings: every library builds ESM + .d.ts from its entry points into dist/.
import { defineConfig, type Options } from "tsup";

export function library(entry: Record<string, string>): ReturnType<typeof defineConfig> {
  const options: Options = {
    entry,
    format: ["esm"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node22",
    platform: "node",
    splitting: false,
  };
  return defineConfig(options);
}

/**
 * Apps are self-contained: each executable bundles our workspace packages **and** its npm
 * dependencies, at exactly the versions the workspace installed from pnpm-lock.yaml. The RPM
 * then carries no node_modules and needs no per-app re-resolution (issue #15). Every runtime
 * dependency is native-free JavaScript; the one native add-on in reach (ssh2's optional
 * `cpu-features`, and its own `sshcrypto.node`) is left out: ssh2 loads both in a try/catch and
 * falls back to Node's crypto, as it does today (the add-ons are never built here).
 * CommonJS dependencies call `require` for Node's built-ins and read `__dirname`, so the banner
 * gives the ES module a real `require`, `__filename` and `__dirname`. The metafile lists every bundled input; tools/rpm/third-party.mjs turns it into
 * the package's third-party notices and checks the versions against the lockfile.
 */
export const NATIVE_EXTERNALS = ["cpu-features", /\.node$/];
/** Everything but the native add-ons (tsup checks noExternal before external). */
const BUNDLED = /^(?!cpu-features(\/|$))(?!.*\.node$)/;

export function application(entry: Record<string, string>): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry,
    format: ["esm"],
    dts: false,
    clean: true,
    sourcemap: true,
    target: "node22",
    platform: "node",
    splitting: false,
    noExternal: [BUNDLED],
    external: NATIVE_EXTERNALS,
    metafile: true,
    banner: {
      js: [
        "#!/usr/bin/env node",
        'import { createRequire as __haconnCreateRequire } from "node:module";',
        'import { fileURLToPath as __haconnFileUrlToPath } from "node:url";',
        'import { dirname as __haconnDirname } from "node:path";',
        "const require = __haconnCreateRequire(import.meta.url);",
        "const __filename = __haconnFileUrlToPath(import.meta.url);",
        "const __dirname = __haconnDirname(__filename);",
      ].join("\n"),
    },
  });
}
