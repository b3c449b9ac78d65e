// Writes the man pages into a directory (tools/rpm/build.sh calls it at package build time):
//   node apps/cli/dist/gen-man.js <out dir> --haconnd <apps/haconnd/dist/haconnd.js>
// <out dir>/man1/<command>.1 (haconnclient.1 from its usage text), man5/haconn.json.5, man8/haconnd.8. The daemon's page takes its
// text from `haconnd --help`, run with the same Node.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildInfo } from "../build-info.js";
import { clientPage, commandPage, configPage, daemonPage, fencePage } from "./pages.js";
import { COMMAND_NAMES } from "./programs.js";

const [out, flag, daemon] = process.argv.slice(2);
if (out === undefined || (flag !== undefined && (flag !== "--haconnd" || daemon === undefined))) {
  process.stderr.write("usage: gen-man <out dir> [--haconnd <haconnd.js>]\n");
  process.exit(2);
}
const version = buildInfo(process.env).version;
for (const section of ["man1", "man5", "man8"]) mkdirSync(join(out, section), { recursive: true });
for (const name of COMMAND_NAMES) writeFileSync(join(out, "man1", `${name}.1`), commandPage(name, version));
writeFileSync(join(out, "man1", "haconnclient.1"), clientPage(version));
writeFileSync(join(out, "man5", "haconn.json.5"), configPage(version));
writeFileSync(join(out, "man8", "fence_haconn.8"), fencePage(version));
if (daemon !== undefined) {
  const help = execFileSync(process.execPath, [daemon, "--help"], { encoding: "utf8" });
  writeFileSync(join(out, "man8", "haconnd.8"), daemonPage(help, version));
}
process.stdout.write(`gen-man: ${COMMAND_NAMES.length + 3 + (daemon ? 1 : 0)} pages in ${out}\n`);
