// The lab's command-line entry points (simulators, lab up/drill/down) are bundled into dist/.
// Each `src/bin/<name>.ts` becomes `dist/<name>.js`.
import { existsSync, readdirSync } from "node:fs";
import { application } from "../../tsup.shared";

const dir = new URL("./src/bin", import.meta.url);
const entry = existsSync(dir)
  ? Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
        .map((f) => [f.replace(/\.ts$/, ""), `src/bin/${f}`]),
    )
  : {};

export default application(entry);
