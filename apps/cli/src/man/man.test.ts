// The man pages are the --help texts: every (sub)command's help, as the real program entry prints
// it, is in its page verbatim, and man(1) renders every page without a warning.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAINS } from "../testing/mains.js";
import { run } from "../testing/run.js";
import { clientMain } from "../client/program.js";
import { USAGE as FENCE_USAGE } from "../fence/agent.js";
import { clientPage, commandPage, configPage, daemonPage, fencePage } from "./pages.js";
import { buildProgram, COMMAND_NAMES, leaves } from "./programs.js";
import { verbatim } from "./troff.js";

const hasMan = spawnSync("man", ["--version"]).status === 0;

describe("man pages generated from the commands' help", () => {
  it.each(COMMAND_NAMES)("%s(1) holds the --help of the command and of every subcommand", async (name) => {
    const page = commandPage(name, "1.0.0-1.el9v");
    const paths = [[], ...leaves(buildProgram(name, () => undefined)).map((l) => l.path)];
    expect(paths.length).toBeGreaterThan(name === "haconndump" ? 0 : 2);
    for (const path of paths) {
      const r = await run(MAINS[name], [...path, "--help"], { etcDir: "/nonexistent" });
      expect(r.code).toBe(0);
      expect(page).toContain(verbatim(r.stdout).join("\n"));
    }
    expect(page).toMatch(/^\.SH EXIT STATUS$/m);
    expect(page).toContain("\n.B 141\n");
  });

  it("haconnclient(1) holds haconnclient --help", async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: () => undefined };
    expect(await clientMain(["--help"], io)).toBe(0);
    expect(clientPage("1.0.0")).toContain(verbatim(out.join("\n")).join("\n"));
  });

  it("fence_haconn(8) holds fence_haconn --help", () => {
    expect(fencePage("1.0.0")).toContain(verbatim(FENCE_USAGE).join("\n"));
  });

  it.skipIf(!hasMan)("man -l renders every page without warnings", () => {
    const dir = mkdtempSync(join(tmpdir(), "haconn-man-"));
    try {
      const pages: [string, string][] = [
        ...COMMAND_NAMES.map((n) => [`${n}.1`, commandPage(n, "1.0.0")] as [string, string]),
        ["haconnclient.1", clientPage("1.0.0")],
        ["haconn.json.5", configPage("1.0.0")],
        ["fence_haconn.8", fencePage("1.0.0")],
        [
          "haconnd.8",
          daemonPage("usage: haconnd\n  Runs the HA Monitor Connector in the foreground.\n", "1.0.0"),
        ],
      ];
      for (const [file, text] of pages) {
        writeFileSync(join(dir, file), text);
        const r = spawnSync("man", ["-l", "--warnings", join(dir, file)], {
          encoding: "utf8",
          env: { ...process.env, MANPAGER: "cat", PAGER: "cat", MANWIDTH: "80" },
        });
        expect(r.status, file).toBe(0);
        expect(r.stderr, file).toBe("");
        expect(r.stdout.length, file).toBeGreaterThan(200);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
