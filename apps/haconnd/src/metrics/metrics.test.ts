import {
  createEngineState,
  type DeviceRef,
  EngineRunner,
  type ResetLogRecord,
  type VersionedDelta,
} from "@haconn/core";
import {
  buildConfig,
  type ConfigSpec,
  deviceKey,
  FakePowerController,
  type FakeControllerOptions,
  SimulatedClock,
} from "@haconn/core/test";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, type HaconnMetrics } from "./metrics.js";
import { ResetTimeline } from "./reset-timeline.js";
import { JobTracker } from "./job-tracker.js";

const runners: EngineRunner[] = [];

afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});

interface Series {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The value of one series, labels matched exactly (undefined when the series is absent). */
async function sample(m: HaconnMetrics, name: string, labels: Record<string, string> = {}) {
  const metric = m.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = (await metric.get()) as { values: Series[] };
  const want = JSON.stringify(Object.entries(labels).sort());
  const hit = values.find(
    (v) =>
      (v.metricName === undefined || v.metricName === name) &&
      JSON.stringify(Object.entries(v.labels).sort()) === want,
  );
  return hit?.value;
}

/** Sum and count of one histogram series, in seconds. */
async function histogram(m: HaconnMetrics, phase: string, category = "P") {
  const { values } = (await m.registry.getSingleMetric("haconn_reset_phase_seconds")!.get()) as {
    values: Series[];
  };
  const pick = (suffix: string) =>
    values.find(
      (v) =>
        v.metricName === `haconn_reset_phase_seconds_${suffix}` &&
        v.labels.phase === phase &&
        v.labels.category === category,
    )?.value;
  return { sum: pick("sum"), count: pick("count") };
}

/** A real engine on a simulated clock whose effects feed the metrics, as the daemon will. */
function engine(spec: ConfigSpec, controller: (key: string) => FakeControllerOptions = () => ({})) {
  const clock = new SimulatedClock();
  const metrics = createMetrics();
  const controllers = new Map<string, FakePowerController>();
  const records: ResetLogRecord[] = [];
  const deltas: VersionedDelta[] = [];
  const ctl = (device: DeviceRef) => {
    const key = deviceKey(device);
    let c = controllers.get(key);
    if (!c) {
      c = new FakePowerController(clock, { describe: key, ...controller(key) });
      controllers.set(key, c);
    }
    return c;
  };
  const runner = new EngineRunner(createEngineState(buildConfig(spec), { logTimeZone: "utc" }), {
    clock,
    controller: ctl,
    send: () => {},
    log: (_line, record) => {
      records.push(record);
      metrics.resetLog(record);
    },
    stateChanged: (d) => {
      deltas.push(...d);
      metrics.stateChanged(d);
    },
  });
  runners.push(runner);
  const check = (subsystem: number, system: string) =>
    runner.dispatch({
      type: "check",
      from: { addr: `127.0.0.${100 + (subsystem % 100)}`, port: 6001 },
      system,
      subsystem,
      port: 6001,
      vmName: null,
      pairSubsystem: null,
    });
  const reset = (requester: number, target: number, system: string, requestId = 1) =>
    runner.dispatch({
      type: "reset",
      from: { addr: `127.0.0.${100 + (requester % 100)}`, port: 6001 },
      requestId,
      system,
      target,
      requester,
    });
  const dump = (subsystem: number) =>
    runner.dispatch({
      type: "dumpNotice",
      from: { addr: `127.0.0.${100 + (subsystem % 100)}`, port: 7410 },
      subsystem,
    });
  return { clock, metrics, runner, records, deltas, check, reset, dump, controllers };
}

describe("fed by the reset engine", () => {
  it("software path: request->NMI, NMI->dump notice, job soft/DUMP, request DUMP", async () => {
    const e = engine({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }, () => ({
      latencyMs: { nmi: 30 },
    }));
    e.check(10001, "PSERVER1");
    e.check(10002, "PSERVER2");
    e.reset(10002, 10001, "PSERVER1", 7);
    await e.clock.advance(1200);
    e.dump(10001);
    await e.clock.advance(10_000);
    const m = e.metrics;
    expect(await histogram(m, "request_to_nmi")).toEqual({ sum: 0.03, count: 1 });
    expect(await histogram(m, "nmi_to_dump_notice")).toEqual({ sum: 1.2, count: 1 });
    expect((await histogram(m, "nmi_to_hard_reset")).count ?? 0).toBe(0);
    expect(await sample(m, "haconn_reset_requests_total", { result: "DUMP" })).toBe(1);
    expect(
      await sample(m, "haconn_reset_job_phases_total", { phase: "soft", category: "P", kind: "reset" }),
    ).toBe(1);
    expect(
      await sample(m, "haconn_reset_jobs_total", {
        phase: "soft",
        result: "DUMP",
        category: "P",
        kind: "reset",
      }),
    ).toBe(1);
  });

  it("hispeed path: NMI->hardware reset at the hispeed time, hardware reset->ack, job hard/DUMP", async () => {
    const e = engine({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }], hispeedMs: 1500 }, () => ({
      latencyMs: { nmi: 20, reset: 40 },
    }));
    e.check(10001, "PSERVER1");
    e.check(10002, "PSERVER2");
    e.reset(10002, 10001, "PSERVER1");
    await e.clock.advance(10_000);
    const m = e.metrics;
    expect(e.records.map((r) => `${r.type} ${r.dir}`)).toContain("HARDRESET RECV");
    expect(await histogram(m, "nmi_to_hard_reset")).toEqual({ sum: 1.5, count: 1 });
    expect(await histogram(m, "hard_reset_to_ack")).toEqual({ sum: 0.04, count: 1 });
    expect(
      await sample(m, "haconn_reset_job_phases_total", { phase: "hard", category: "P", kind: "reset" }),
    ).toBe(1);
    expect(
      await sample(m, "haconn_reset_jobs_total", {
        phase: "hard",
        result: "DUMP",
        category: "P",
        kind: "reset",
      }),
    ).toBe(1);
    expect(await sample(m, "haconn_reset_requests_total", { result: "DUMP" })).toBe(1);
  });

  it("BMC dead: PDU cut per outlet, job pdu_cut, BMC link 0 and PDU link 1 from the deltas", async () => {
    const e = engine(
      {
        servers: [
          {
            name: "PSERVER1",
            ipdusd: true,
            timeoutSec: 5,
            recoveryTimeSec: 0,
            outlets: [
              ["127.0.3.1", 1],
              ["127.0.3.1", 2],
            ],
          },
          { name: "PSERVER2" },
        ],
        pdus: ["127.0.3.1"],
      },
      (key) =>
        key === "bmc:PSERVER1"
          ? { fail: { nmi: "DEVICE_UNREACHABLE", reset: "DEVICE_UNREACHABLE", status: "DEVICE_UNREACHABLE" } }
          : key.startsWith("outlet:")
            ? { kind: "ipdu", latencyMs: { off: 25, status: 5 } }
            : {},
    );
    e.runner.dispatch({ type: "start" });
    e.check(10001, "PSERVER1");
    e.check(10002, "PSERVER2");
    await e.clock.advance(100);
    e.reset(10002, 10001, "PSERVER1");
    await e.clock.advance(20_000);
    const m = e.metrics;
    expect(await histogram(m, "pdu_cut")).toEqual({ sum: 0.05, count: 2 });
    expect(
      await sample(m, "haconn_reset_job_phases_total", { phase: "pdu_cut", category: "P", kind: "reset" }),
    ).toBe(1);
    expect(
      await sample(m, "haconn_reset_jobs_total", {
        phase: "pdu_cut",
        result: "POFF",
        category: "P",
        kind: "reset",
      }),
    ).toBe(1);
    expect(await sample(m, "haconn_link_up", { kind: "bmc", name: "PSERVER1" })).toBe(0);
    expect(await sample(m, "haconn_link_up", { kind: "bmc", name: "PSERVER2" })).toBe(1);
    expect(await sample(m, "haconn_link_up", { kind: "pdu", name: "127.0.3.1" })).toBe(1);

    // syncState rebuilds the same links from the whole state (after a takeover).
    const fresh = createMetrics();
    fresh.syncState(e.runner.state.shared);
    expect(await sample(fresh, "haconn_link_up", { kind: "bmc", name: "PSERVER1" })).toBe(0);
    expect(await sample(fresh, "haconn_link_up", { kind: "pdu", name: "127.0.3.1" })).toBe(1);
    fresh.clearLinks(["bmc"]);
    expect(await sample(fresh, "haconn_link_up", { kind: "bmc", name: "PSERVER1" })).toBeUndefined();
    expect(await sample(fresh, "haconn_link_up", { kind: "pdu", name: "127.0.3.1" })).toBe(1);
  });

  it("BMC dead without iPDU: job hard/FAIL, request FAIL, no ack timed", async () => {
    const e = engine({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }], hispeedMs: 1000 }, (key) =>
      key === "bmc:PSERVER1" ? { fail: { nmi: "DEVICE_UNREACHABLE", reset: "DEVICE_UNREACHABLE" } } : {},
    );
    e.check(10001, "PSERVER1");
    e.check(10002, "PSERVER2");
    e.reset(10002, 10001, "PSERVER1");
    await e.clock.advance(30_000);
    const m = e.metrics;
    expect(
      await sample(m, "haconn_reset_jobs_total", {
        phase: "hard",
        result: "FAIL",
        category: "P",
        kind: "reset",
      }),
    ).toBe(1);
    expect(await sample(m, "haconn_reset_requests_total", { result: "FAIL" })).toBe(1);
    // The NMI failed, so the hardware reset came at once, not at the hispeed time.
    expect(await histogram(m, "nmi_to_hard_reset")).toEqual({ sum: 0, count: 1 });
    expect((await histogram(m, "hard_reset_to_ack")).count).toBeUndefined();
    expect((await histogram(m, "request_to_nmi")).count).toBeUndefined();

    // Nothing stays tracked once the job ended: the FAIL ends without ATTENTION, so the
    // latency timeline is released by the job tracker's jobRemoved.
    const sink = { observeLatency() {}, requestAnswered() {}, jobPhase() {}, jobFinished() {}, setLink() {} };
    const timeline = new ResetTimeline(sink);
    const tracker = new JobTracker(sink, (system, sub) => timeline.endJob(system, sub));
    for (const r of e.records) timeline.record(r);
    expect(timeline.size).toBe(1);
    tracker.apply(e.deltas);
    expect(timeline.size).toBe(0);
    expect(tracker.size).toBe(0);
  });

  it("immediate answers count as requests, not jobs, and leave nothing behind", async () => {
    const e = engine({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] });
    e.check(10001, "PSERVER1");
    e.check(10002, "PSERVER2");
    e.reset(10002, 10099, "PSERVER1"); // unknown target
    e.reset(10077, 10001, "PSERVER1", 2); // unknown requester
    await e.clock.advance(100);
    const m = e.metrics;
    // The unknown requester's ERROR is stateless (no reset-log line): counted by the reset-path
    // socket as refusal `unknown-requester`, not here.
    expect(await sample(m, "haconn_reset_requests_total", { result: "ERROR" })).toBe(1);
    const jobs = await m.registry.getSingleMetric("haconn_reset_job_phases_total")!.get();
    expect(jobs.values).toEqual([]);
  });

  it("a haconnserver reset test counts as kind=test with result FAIL when no dump notice comes", async () => {
    const e = engine({ servers: [{ name: "PSERVER1" }] });
    e.check(10001, "PSERVER1");
    e.runner.dispatch({
      type: "command",
      id: "t1",
      command: { type: "softResetTest", system: "PSERVER1", subsystem: 10001 },
    });
    await e.clock.advance(70_000);
    const m = e.metrics;
    expect(
      await sample(m, "haconn_reset_jobs_total", {
        phase: "soft",
        result: "FAIL",
        category: "P",
        kind: "test",
      }),
    ).toBe(1);
    expect(await histogram(m, "request_to_nmi", "test")).toEqual({ sum: undefined, count: undefined });
  });
});
