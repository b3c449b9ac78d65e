import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTermStore, TERM_FILE, TermStore } from "./term-store.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "haconn-term-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("TermStore", () => {
  it("starts from 0 without a file and keeps the term across instances", () => {
    const a = new TermStore(dir);
    expect(a.term).toBe(0);
    a.save(3);
    expect(readFileSync(join(dir, TERM_FILE), "utf8")).toBe("3\n");
    expect(new TermStore(dir).term).toBe(3);
  });

  it("only records a growing term, and leaves no temporary file", () => {
    const s = new TermStore(dir);
    s.save(5);
    s.save(4);
    s.save(5);
    s.save(Number.NaN);
    expect(s.term).toBe(5);
    expect(readFileSync(join(dir, TERM_FILE), "utf8")).toBe("5\n");
    s.save(6);
    expect(readdirSync(dir)).toEqual([TERM_FILE]);
  });

  it("warns and starts from 0 on a corrupt file; a later save repairs it", () => {
    writeFileSync(join(dir, TERM_FILE), "not a term");
    const warnings: string[] = [];
    const s = new TermStore(dir, { warn: (m) => warnings.push(m) });
    expect(s.term).toBe(0);
    expect(warnings[0]).toMatch(/does not hold a term/);
    s.save(1);
    expect(new TermStore(dir).term).toBe(1);
  });

  it("warns without throwing when the run directory cannot be written", () => {
    const missing = join(dir, "gone");
    const warnings: string[] = [];
    const s = new TermStore(missing, { warn: (m) => warnings.push(m) });
    s.save(2);
    expect(s.term).toBe(0);
    expect(warnings[0]).toMatch(/cannot record term 2/);
    mkdirSync(missing);
    s.save(2);
    expect(new TermStore(missing).term).toBe(2);
  });

  it("openTermStore keeps the term in the state directory and carries a higher one from the old run directory", () => {
    const state = join(dir, "state");
    const run = join(dir, "run");
    mkdirSync(run);
    writeFileSync(join(run, TERM_FILE), "7\n");
    const s = openTermStore(state, () => undefined, run);
    expect(s.path).toBe(join(state, TERM_FILE));
    expect(s.term).toBe(7);
    expect(readFileSync(join(state, TERM_FILE), "utf8")).toBe("7\n");
    s.save(9);
    rmSync(run, { recursive: true }); // what RuntimeDirectory= does at every stop
    expect(openTermStore(state, () => undefined, run).term).toBe(9);
  });
});
