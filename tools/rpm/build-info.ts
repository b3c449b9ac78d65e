// What `--version` of every command embeds at build time (apps/cli and apps/haconnd tsup
// configs define __HACONN_BUILD__ with it): the product version, which is the RPM Version
// (tools/rpm/package.json), and the git commit of the tree (HACONN_GIT_COMMIT overrides, for a
// build outside a git checkout). An installed RPM prints its version-release instead (the
// launcher exports HACONN_PACKAGE_VERSION_FILE, written by the spec).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export function buildInfo(): { version: string; commit: string } {
  const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  let commit = process.env.HACONN_GIT_COMMIT ?? "";
  if (commit === "") {
    try {
      commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).trim();
    } catch {
      commit = "unknown";
    }
  }
  return { version: pkg.version, commit };
}
