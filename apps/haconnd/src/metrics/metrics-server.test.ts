import { createDropCounters } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, type HaconnMetrics } from "./metrics.js";
import { checkMetricsAddress, MetricsServer, parseMetricsListen } from "./metrics-server.js";

const servers: MetricsServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(m: HaconnMetrics): Promise<MetricsServer> {
  const s = await MetricsServer.listen({
    host: "127.0.0.1",
    port: 0,
    scrape: () => m.scrape(),
    contentType: m.contentType,
  });
  servers.push(s);
  return s;
}

describe("metrics endpoint", () => {
  it("serves recorded values on 127.0.0.1 with the Prometheus content type", async () => {
    const m = createMetrics();
    m.requestAnswered("DUMP");
    m.requestAnswered("DUMP");
    m.requestAnswered("ERROR");
    m.setLink("bmc", "PSERVER1", "OK");
    m.setLink("bmc", "PSERVER2", "NG");
    m.setLink("pdu", "127.0.3.1", "--");
    m.setRole("active");
    m.setSynchronised(true);
    m.observeLatency("nmi_to_dump_notice", "P", 1200);
    const s = await serve(m);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(s.port).toBeGreaterThan(0);

    const res = await fetch(s.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('haconn_reset_requests_total{result="DUMP"} 2');
    expect(text).toContain('haconn_reset_requests_total{result="ERROR"} 1');
    expect(text).toContain('haconn_link_up{kind="bmc",name="PSERVER1"} 1');
    expect(text).toContain('haconn_link_up{kind="bmc",name="PSERVER2"} 0');
    expect(text).not.toContain('name="127.0.3.1"');
    expect(text).toContain('haconn_pair_role{role="active"} 1');
    expect(text).toContain('haconn_pair_role{role="standby"} 0');
    expect(text).toContain('haconn_pair_role{role="undecided"} 0');
    expect(text).toContain("haconn_pair_synchronised 1");
    expect(text).toContain(
      'haconn_reset_phase_seconds_bucket{le="1",phase="nmi_to_dump_notice",category="P"} 0',
    );
    expect(text).toContain(
      'haconn_reset_phase_seconds_bucket{le="2",phase="nmi_to_dump_notice",category="P"} 1',
    );
    expect(text).toContain('haconn_reset_phase_seconds_sum{phase="nmi_to_dump_notice",category="P"} 1.2');
    // A link that went back to "--" disappears.
    m.setLink("bmc", "PSERVER1", "--");
    expect(await (await fetch(s.url)).text()).not.toContain('name="PSERVER1"');
  });

  it("answers only GET/HEAD /metrics", async () => {
    const s = await serve(createMetrics());
    const base = s.url.replace(/\/metrics$/, "");
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    const post = await fetch(s.url, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(s.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await fetch(`${s.url}?x=1`)).status).toBe(200);
  });

  it("answers 500 when collection fails, and keeps serving", async () => {
    const errors: unknown[] = [];
    let fail = true;
    const s = await MetricsServer.listen({
      host: "127.0.0.1",
      port: 0,
      contentType: "text/plain",
      scrape: async () => {
        if (fail) throw new Error("boom");
        return "ok 1\n";
      },
      onError: (e) => errors.push(e),
    });
    servers.push(s);
    expect((await fetch(s.url)).status).toBe(500);
    expect(errors).toHaveLength(1);
    fail = false;
    expect(await (await fetch(s.url)).text()).toBe("ok 1\n");
  });

  it("refuses every-interface addresses unless allowed, and non-IP hosts", async () => {
    for (const host of ["0.0.0.0", "::"]) {
      await expect(
        MetricsServer.listen({ host, port: 0, scrape: async () => "", contentType: "text/plain" }),
      ).rejects.toMatchObject({ code: "METRICS_ANY_ADDRESS" });
      expect(() => checkMetricsAddress(host, true)).not.toThrow();
    }
    expect(() => checkMetricsAddress("localhost")).toThrow(/not an IP address/);
  });

  it("a port in use is an error, not a silent second listener", async () => {
    const first = await serve(createMetrics());
    await expect(
      MetricsServer.listen({
        host: "127.0.0.1",
        port: first.port,
        scrape: async () => "",
        contentType: "text/plain",
      }),
    ).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  it("parses the listen setting", () => {
    expect(parseMetricsListen(undefined)).toBeNull();
    expect(parseMetricsListen("")).toBeNull();
    expect(parseMetricsListen("off")).toBeNull();
    expect(parseMetricsListen("192.168.2.1:9464")).toEqual({ host: "192.168.2.1", port: 9464 });
    expect(parseMetricsListen("[fd00::1]:9464")).toEqual({ host: "fd00::1", port: 9464 });
    expect(parseMetricsListen("0.0.0.0:9464")).toEqual({ host: "0.0.0.0", port: 9464 });
    for (const bad of [
      "9464",
      "host:9464",
      "1.2.3.4",
      "1.2.3.4:0",
      "1.2.3.4:70000",
      "1.2.3.999:1",
      "::1:9464",
    ]) {
      expect(() => parseMetricsListen(bad), bad).toThrow(/expected <IPv4>:<port>/);
    }
  });
});

describe("dropped datagrams", () => {
  it("counts what a snapshot gained, reads sources at each scrape, survives a reopened socket", async () => {
    const m = createMetrics();
    const counters = createDropCounters();
    let current: typeof counters | undefined = counters;
    m.dropSource("reset-path", () => current);
    counters["bad-mac"] = 3;
    counters.short = 1;
    const s = await serve(m);
    let text = await (await fetch(s.url)).text();
    expect(text).toContain('haconn_dropped_datagrams_total{socket="reset-path",reason="bad-mac"} 3');
    expect(text).toContain('haconn_dropped_datagrams_total{socket="reset-path",reason="short"} 1');
    expect(text).toContain('haconn_dropped_datagrams_total{socket="reset-path",reason="replay"} 0');
    counters["bad-mac"] = 5;
    text = await (await fetch(s.url)).text();
    expect(text).toContain('reason="bad-mac"} 5');
    // Socket closed (standby): nothing read, nothing lost.
    current = undefined;
    text = await (await fetch(s.url)).text();
    expect(text).toContain('reason="bad-mac"} 5');
    // Reopened after a takeover: fresh counters start at 0 and add up.
    const reopened = createDropCounters();
    reopened["bad-mac"] = 2;
    current = reopened;
    text = await (await fetch(s.url)).text();
    expect(text).toContain('reason="bad-mac"} 7');

    m.recordDrops("duplex", { ...createDropCounters(), stale: 4 });
    expect(await m.scrape()).toContain('haconn_dropped_datagrams_total{socket="duplex",reason="stale"} 4');
  });
});
