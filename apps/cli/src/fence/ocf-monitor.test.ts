import { formatKeyFile, generateAuthKey, parseKeyFile } from "@haconn/protocol";
import { describe, expect, it } from "vitest";
import {
  monitorConfig,
  OCF_ERR_CONFIGURED,
  OCF_ERR_GENERIC,
  OCF_NOT_RUNNING,
  OCF_SUCCESS,
  type OcfDeps,
  runOcfAction,
} from "./ocf-monitor.js";

const key = generateAuthKey(3);
const CONF2 = "nodelist {\n node {\n name: a\n nodeid: 4\n }\n node {\n name: b\n nodeid: 9\n }\n}\n";
const NOW = 1_800_000_000_000;

function deps(env: Record<string, string>, files: Record<string, string> = {}, alive = new Set<number>()) {
  const fs: Record<string, string> = {
    "/k": formatKeyFile({ keys: [key], send: key }),
    "/etc/corosync/corosync.conf": CONF2,
    ...files,
  };
  const spawned: number[] = [];
  const d: OcfDeps = {
    env: {
      OCF_RESKEY_ip: "10.1.1.1",
      OCF_RESKEY_ipport: "30000",
      OCF_RESKEY_cluster_port: "40000",
      OCF_RESKEY_key_file: "/k",
      ...env,
    },
    hostname: "a",
    readFile: (p) => {
      if (!(p in fs)) throw new Error("ENOENT");
      return fs[p]!;
    },
    loadKey: (p) => {
      if (!(p in fs)) throw new Error("ENOENT");
      return parseKeyFile(fs[p]!);
    },
    out: () => undefined,
    err: () => undefined,
    now: () => NOW,
    sleep: async () => undefined,
    pidAlive: (pid) => alive.has(pid),
    spawnDaemon: () => {
      spawned.push(1);
    },
    kill: (pid) => {
      alive.delete(pid);
    },
    removeFile: (p) => {
      delete fs[p];
    },
  };
  return { d, fs, spawned };
}

describe("ocf:haconn:monitor", () => {
  it("registers the node under its corosync nodeid, the other node of two as its pair", () => {
    const { d } = deps({ OCF_RESKEY_host_map: "a:SYS_A;b:SYS_B", OCF_RESKEY_CRM_meta_on_node: "a" });
    expect(monitorConfig(d, () => undefined)).toMatchObject({
      node: "a",
      subsystem: 4,
      system: "SYS_A",
      pairSubsystem: 9,
      clusterPort: 40000,
      connector: { ip: "10.1.1.1", port: 30000 },
      intervalSec: 5,
    });
    expect(monitorConfig(deps({ OCF_RESKEY_pair: "none" }).d, () => undefined).pairSubsystem).toBe(0);
  });

  it("refuses a wrong configuration as OCF_ERR_CONFIGURED; monitor then says not running, stop succeeds", async () => {
    const bad = deps({ OCF_RESKEY_cluster_port: "0" }).d;
    expect(await runOcfAction("validate-all", bad)).toBe(OCF_ERR_CONFIGURED);
    expect(await runOcfAction("start", bad)).toBe(OCF_ERR_CONFIGURED);
    expect(await runOcfAction("monitor", bad)).toBe(OCF_NOT_RUNNING);
    expect(await runOcfAction("stop", bad)).toBe(OCF_SUCCESS);
    expect(await runOcfAction("validate-all", deps({}, { "/k": "nope" }).d)).toBe(OCF_ERR_CONFIGURED);
  });

  it("monitor: not running without a live daemon, failed when the connector went silent", async () => {
    expect(await runOcfAction("monitor", deps({}).d)).toBe(OCF_NOT_RUNNING);
    const st = (atMs: number) =>
      JSON.stringify({
        version: 1,
        node: "a",
        subsystem: 4,
        system: "a",
        clusterPort: 40000,
        connector: { ip: "x", port: 1 },
        intervalSec: 5,
        pairSubsystem: 9,
        pid: 77,
        startedAtMs: 0,
        lastReply: { atMs, role: "active", status: "normal", blockers: [], responder: "H" },
        attentions: [],
      });
    const path = "/run/haconn/pcmk-monitor.json";
    expect(await runOcfAction("monitor", deps({}, { [path]: st(NOW - 1000) }, new Set([77])).d)).toBe(
      OCF_SUCCESS,
    );
    expect(await runOcfAction("monitor", deps({}, { [path]: st(NOW - 60_000) }, new Set([77])).d)).toBe(
      OCF_ERR_GENERIC,
    );
    const w = deps({}, { [path]: st(NOW) }, new Set([77]));
    expect(await runOcfAction("stop", w.d)).toBe(OCF_SUCCESS);
    expect(w.fs[path]).toBeUndefined();
  });

  it("start fails (and cleans up) when the connector never answers", async () => {
    let t = NOW;
    const w = deps({});
    w.d.now = () => (t += 1000);
    expect(await runOcfAction("start", w.d)).toBe(OCF_ERR_GENERIC);
    expect(w.spawned).toEqual([1]);
  });
});
