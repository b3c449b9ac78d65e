import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore, type HaconnConfig, type ResolvedConfig, resolveConfig } from "@haconn/config";
import { sampleBmc, sampleConfig } from "@haconn/config/test";
import { DEFAULT_ENGINE_OPTIONS, emptySharedState, type SharedState } from "@haconn/core";
import type { JsonValue } from "@haconn/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Daemon } from "../daemon.js";
import { runtimeFacts } from "./apply.js";
import { type CopyAnswer, copyConfigHandler } from "./copy.js";

interface FakeDaemon {
  options: { etcDir: string; nodeName: string };
  role: "active" | "standby";
  config: ResolvedConfig;
  applied: ResolvedConfig[];
  lines: string[];
}

function fakeDaemon(etcDir: string, config: HaconnConfig): FakeDaemon & Daemon {
  const line = (_fields: unknown, msg: string) => void fake.lines.push(msg);
  const fake = {
    options: { etcDir, nodeName: "HACON2" },
    role: "standby",
    config: resolveConfig(config),
    applied: [] as ResolvedConfig[],
    lines: [] as string[],
    logs: { event: { info: line, warn: line, error: line } },
    applyConfig(next: ResolvedConfig) {
      fake.applied.push(next);
      fake.config = next;
    },
  };
  return fake as unknown as FakeDaemon & Daemon;
}

describe("copyConfig on the standby", () => {
  let dir: string;
  let d: FakeDaemon & Daemon;
  const text = () => readFileSync(join(dir, "haconn.json"), "utf8");
  const send = (config: unknown, role: "active" | "standby" = "standby") =>
    Promise.resolve(copyConfigHandler(d)({ config: config as JsonValue, from: "HACON1" }, { role }));

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "haconn-copy-"));
    await new ConfigStore(dir).update(() => sampleConfig());
    d = fakeDaemon(dir, sampleConfig());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the active's configuration and runs it when a running connector can take it", async () => {
    const next = sampleConfig();
    next.pservers.push({ ...next.pservers[0]!, name: "PSERVER9", bmc: sampleBmc("127.0.1.99") });
    const r = await send(next);
    expect(r.status).toBe("done");
    const answer = r.data as unknown as CopyAnswer;
    expect(answer).toMatchObject({ changed: true, applied: true, restartRequired: [] });
    expect(JSON.parse(text())).toEqual(next);
    expect(d.applied.map((c) => c.digest)).toEqual([resolveConfig(next).digest]);
    expect(answer.digest).toBe(resolveConfig(next).digest);
  });

  it("writes but does not run a configuration that needs a restart (resetpath, hispeed, ...)", async () => {
    const next = sampleConfig({ hispeedMs: 2000 });
    const r = await send(next);
    expect(r.status).toBe("done");
    expect(r.data).toMatchObject({ changed: true, applied: false });
    expect((r.data as unknown as CopyAnswer).restartRequired[0]).toMatch(/^hispeed changed/);
    expect(JSON.parse(text())).toEqual(next);
    expect(d.applied).toEqual([]);
    expect(d.lines.at(-1)).toMatch(/next start/);
  });

  it("a failed copy changes nothing: invalid configuration", async () => {
    const before = text();
    const bad = sampleConfig();
    bad.pservers[0]!.name = "bad_name";
    const r = await send(bad);
    expect(r.status).toBe("failed");
    expect(r.data).toMatchObject({ code: "CONFIG_INVALID" });
    expect(text()).toBe(before);
    expect(d.applied).toEqual([]);
  });

  it("a failed copy changes nothing: a configuration that does not register this node", async () => {
    const before = text();
    const other = sampleConfig();
    other.mservers[1]!.name = "HACON3";
    const r = await send(other);
    expect(r).toMatchObject({ status: "failed", data: { code: "CONFIG_NOT_FOR_THIS_NODE" } });
    expect(text()).toBe(before);
  });

  it("the active never takes a copy", async () => {
    const before = text();
    const r = await send(sampleConfig({ pservers: 1 }), "active");
    expect(r).toMatchObject({ status: "rejected", data: { code: "NOT_STANDBY" } });
    expect(text()).toBe(before);
  });

  it("the same configuration again: done, nothing changed, nothing re-applied", async () => {
    const r = await send(sampleConfig());
    expect(r).toMatchObject({ status: "done", data: { changed: false, applied: true } });
    expect(d.applied).toEqual([]);
  });
});

describe("runtimeFacts", () => {
  it("running HA monitors (fresh CHECK), systems being reset, PDUs in use", () => {
    const now = 1_000_000;
    const shared: SharedState = {
      ...emptySharedState(),
      monitors: {
        "1/10": { key: "1/10", system: "P1", subsystem: 10, addr: "127.0.0.5", lastSeen: now - 1000 },
        "1/11": { key: "1/11", system: "P2", subsystem: 11, addr: "127.0.0.6", lastSeen: now - 61_000 },
        "1/12": { key: "1/12", system: "P3", subsystem: 12, addr: null, lastSeen: now },
      } as unknown as SharedState["monitors"],
      jobs: {
        "1/20": {
          system: "P4",
          cut: { pending: [{ pdu: "10.0.0.1", outlet: 1 }], done: [], failed: [] },
        },
      } as unknown as SharedState["jobs"],
      restores: {
        r: { system: "P5", outlets: [{ pdu: "10.0.0.2", outlet: 2 }] },
      } as unknown as SharedState["restores"],
    };
    const d = {
      clock: { now: () => now },
      engine: {
        state: {
          shared,
          options: DEFAULT_ENGINE_OPTIONS,
          local: { tests: { t: { system: "P6", outlets: [{ pdu: "10.0.0.3", outlet: 3 }] } } },
        },
      },
    } as unknown as Daemon;
    const f = runtimeFacts(d);
    expect([...f.runningMonitors]).toEqual([["P1", "subsystem 10, last CHECK 1 s ago"]]);
    expect([...f.resettingSystems].sort()).toEqual(["P4", "P5", "P6"]);
    expect([...f.busyPdus].sort()).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
  });
});
