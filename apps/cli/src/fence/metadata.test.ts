import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fenceMetadata } from "./metadata.js";
import { ocfMetadata } from "./ocf-monitor.js";

const RNG = "/usr/share/cluster/relaxng/metadata.rng";
const DTD = "/usr/share/resource-agents/ra-api-1.dtd";
const xmllint = (() => {
  try {
    execFileSync("xmllint", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

function lint(xml: string, args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "haconn-meta-"));
  try {
    writeFileSync(join(dir, "m.xml"), xml);
    return execFileSync("xmllint", [...args, join(dir, "m.xml")], { encoding: "utf8", stdio: "pipe" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("metadata", () => {
  it("names the parameters the issue fixes and the fence-agents actions", () => {
    const xml = fenceMetadata();
    for (const p of ["ip", "ipport", "plug", "key_file", "verbose", "debug_file", "delay", "power_timeout"])
      expect(xml).toContain(`<parameter name="${p}" `);
    for (const a of ["reboot", "off", "status", "monitor", "list", "list-status", "metadata", "validate-all"])
      expect(xml).toContain(`<action name="${a}" />`);
    expect(xml).toContain('<action name="on" automatic="0"/>');
  });

  it.skipIf(!xmllint || !existsSync(RNG))("passes fence-agents' metadata schema", () => {
    expect(() => lint(fenceMetadata(), ["--noout", "--relaxng", RNG])).not.toThrow();
  });

  it.skipIf(!xmllint || !existsSync(DTD))("ocf:haconn:monitor's metadata passes the OCF ra-api-1 DTD", () => {
    expect(() =>
      lint(ocfMetadata().replace(/<!DOCTYPE[^>]*>\n/, ""), ["--noout", "--dtdvalid", DTD]),
    ).not.toThrow();
  });
});
