// Every `src/<name>.bench.ts` becomes `dist/<name>.bench.js`, run with the project's Node
// after the build (e.g. `node tools/bench/dist/protocol.bench.js`). Benchmarks print figures.
import { readdirSync } from "node:fs";
import type { Options } from "tsup";
import { application, NATIVE_EXTERNALS } from "../../tsup.shared";

const entry = Object.fromEntries(
  readdirSync(new URL("./src", import.meta.url))
    .filter((f) => f.endsWith(".bench.ts") || f === "run-all.ts")
    .map((f) => [f.replace(/\.ts$/, ""), `src/${f}`]),
);

// The benches are not shipped: @resvg/resvg-js (the plot) stays external, so its loader finds its
// platform package (@resvg/resvg-js-linux-x64-gnu) beside it in node_modules; bundled into
// dist/run-all.js it could not (pnpm does not hoist it) and run-all failed at import.
const base = application(entry) as Options;
export default {
  ...base,
  noExternal: [/^(?!@resvg\/)(?!cpu-features(\/|$))(?!.*\.node$)/],
  external: [...NATIVE_EXTERNALS, /^@resvg\//],
} satisfies Options;
