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

/** Apps bundle our workspace packages into the executable and keep npm dependencies external. */
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
    noExternal: [/^@haconn\//],
    banner: { js: "#!/usr/bin/env node" },
  });
}
