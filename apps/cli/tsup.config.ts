import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { application } from "../../tsup.shared";

/** `--version`: the product version (tools/rpm/package.json, the RPM Version) and the git commit. */
function buildInfo(): { version: string; commit: string } {
  const version = (
    JSON.parse(readFileSync(new URL("../../tools/rpm/package.json", import.meta.url), "utf8")) as {
      version: string;
    }
  ).version;
  let commit = process.env.HACONN_GIT_COMMIT ?? "";
  if (commit === "") {
    try {
      commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).trim();
    } catch {
      commit = "unknown";
    }
  }
  return { version, commit };
}

const config = application({
  haconnsetup: "src/bin/haconnsetup.ts",
  haconnshow: "src/bin/haconnshow.ts",
  haconnserver: "src/bin/haconnserver.ts",
  haconnact: "src/bin/haconnact.ts",
  haconnsby: "src/bin/haconnsby.ts",
  haconndump: "src/bin/haconndump.ts",
});

export default { ...config, define: { __HACONN_BUILD__: JSON.stringify(buildInfo()) } };
