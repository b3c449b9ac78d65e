// Every `src/<name>.bench.ts` becomes `dist/<name>.bench.js`, run with the project's Node
// after the build (e.g. `node tools/bench/dist/protocol.bench.js`). Benchmarks print figures.
import { readdirSync } from "node:fs";
import { application } from "../../tsup.shared";

const entry = Object.fromEntries(
  readdirSync(new URL("./src", import.meta.url))
    .filter((f) => f.endsWith(".bench.ts") || f === "run-all.ts")
    .map((f) => [f.replace(/\.ts$/, ""), `src/${f}`]),
);

export default application(entry);
