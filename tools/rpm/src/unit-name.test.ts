// One name for the unit everywhere (issue #20): haconnd.service in the unit file's name, the
// spec, the build script, the docs and the commands' help; never the manual's misprint
// haconnnd.service, never another haconn*.service.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const files = [
  "tools/rpm/haconnr2.spec",
  "tools/rpm/build.sh",
  "tools/rpm/README.md",
  "README.md",
  ...readdirSync(join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  "apps/cli/src/setup/program.ts",
  "apps/cli/src/man/pages.ts",
];

describe("the systemd unit's name", () => {
  it("is haconnd.service in the unit file, the package and every document", () => {
    expect(readdirSync(join(REPO, "tools/rpm")).filter((f) => f.endsWith(".service"))).toEqual([
      "haconnd.service",
    ]);
    for (const file of files) {
      const text = readFileSync(join(REPO, file), "utf8");
      const names = [...text.matchAll(/\bhaconn[a-z0-9]*\.service\b/g)].map((m) => m[0]);
      expect(
        names.filter((n) => n !== "haconnd.service"),
        file,
      ).toEqual([]);
    }
    expect(readFileSync(join(REPO, "tools/rpm/haconnr2.spec"), "utf8")).toContain("haconnd.service");
  });
});
