// The rules a JSON Schema cannot say (manual-digest §5.3-5.5, §6): required-when, uniqueness,
// references, port clashes. Runs only on a configuration that already matches the schema.
import type { ValidationIssue } from "./errors-catalog.js";
import { maskToPrefix } from "./ipv4.js";
import { type HaconnConfig, type OutletLink, pduKey } from "./types.js";

type Report = (path: string, message: string) => void;

function checkIpdusd(
  report: Report,
  base: string,
  server: { ipdusd: boolean; timeoutSec: number | null; recoveryTimeSec?: number | null },
): void {
  const fields: [string, number | null | undefined][] = [["timeoutSec", server.timeoutSec]];
  if ("recoveryTimeSec" in server) fields.push(["recoveryTimeSec", server.recoveryTimeSec]);
  for (const [field, value] of fields) {
    if (server.ipdusd && value === null) report(`${base}/${field}`, "is required when ipdusd=on");
    if (!server.ipdusd && value !== null)
      report(`${base}/${field}`, "is only used with ipdusd=on (ipdusd=off clears it)");
  }
}

/** Reports every later occurrence of a key already seen. */
function unique<T>(report: Report, items: { path: string; key: T; what: string }[]): void {
  const seen = new Map<T, string>();
  for (const item of items) {
    const first = seen.get(item.key);
    if (first === undefined) seen.set(item.key, item.path);
    else report(item.path, `${item.what} is already used at ${first}`);
  }
}

function checkLinks(report: Report, config: HaconnConfig, pdus: Set<string>): void {
  const links: { path: string; key: string; what: string }[] = [];
  const visit = (base: string, outlets: OutletLink[]) => {
    outlets.forEach((link, j) => {
      const path = `${base}/outlets/${j}`;
      if (!pdus.has(link.pdu))
        report(`${path}/pdu`, `PDU ${link.pdu} is not registered (haconnsetup ipdu add)`);
      links.push({
        path,
        key: `${link.pdu}#${link.outlet}`,
        what: `outlet ${link.outlet} of PDU ${link.pdu}`,
      });
    });
  };
  config.mservers.forEach((m, i) => {
    visit(`/mservers/${i}`, m.outlets);
  });
  config.pservers.forEach((p, i) => {
    visit(`/pservers/${i}`, p.outlets);
  });
  // One outlet feeds one power supply: cutting it for one server must never cut another.
  unique(report, links);
}

export function checkRules(config: HaconnConfig): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const report: Report = (path, message) => issues.push({ path, message });

  const rp = config.resetpath;
  if (rp && maskToPrefix(rp.mask) !== rp.prefixLength) {
    report("/resetpath/mask", `mask ${rp.mask} does not match prefix length /${rp.prefixLength}`);
  }
  const hs = config.hispeed;
  if (rp && config.kdump && config.kdump.port === rp.port)
    report(
      "/kdump/port",
      `port ${config.kdump.port} is the reset-path port; the fence_kdump port must differ`,
    );
  if (hs.enabled && hs.resetTimeMs === null) report("/hispeed/resetTimeMs", "is required when hispeed is on");
  if (!hs.enabled && hs.resetTimeMs !== null)
    report("/hispeed/resetTimeMs", "must be unset when hispeed is off");

  config.mservers.forEach((m, i) => {
    checkIpdusd(report, `/mservers/${i}`, m);
    if (rp && m.mlan && m.mlan.port === rp.port) {
      report(
        `/mservers/${i}/mlan/port`,
        `port ${m.mlan.port} is the reset-path port; the duplex-LAN port must differ`,
      );
    }
  });
  config.pservers.forEach((p, i) => {
    checkIpdusd(report, `/pservers/${i}`, p);
    const v = p.vserver;
    if (!v) return;
    const base = `/pservers/${i}/vserver`;
    if ((v.account === null) !== (v.password === null)) {
      report(`${base}/password`, "is set together with account");
    }
    if (v.enabled) {
      for (const field of ["addr", "port", "account"] as const) {
        if (v[field] === null) report(`${base}/${field}`, "is required when VMware=Enable");
      }
    }
  });

  unique(
    report,
    config.mservers.map((m, i) => ({ path: `/mservers/${i}/name`, key: m.name, what: `name ${m.name}` })),
  );
  unique(
    report,
    config.pservers.map((p, i) => ({ path: `/pservers/${i}/name`, key: p.name, what: `name ${p.name}` })),
  );
  const bmcs = [
    ...config.mservers.map((m, i) => ({ path: `/mservers/${i}/bmc/addr`, bmc: m.bmc })),
    ...config.pservers.map((p, i) => ({ path: `/pservers/${i}/bmc/addr`, bmc: p.bmc })),
  ];
  unique(
    report,
    bmcs.map(({ path, bmc }) => ({
      path,
      key: `${bmc.addr}:${bmc.port}`,
      what: `BMC ${bmc.addr}:${bmc.port}`,
    })),
  );
  unique(
    report,
    config.mservers.flatMap((m, i) =>
      m.mlan
        ? [{ path: `/mservers/${i}/mlan/addr`, key: `${m.mlan.addr}:${m.mlan.port}`, what: "duplex LAN" }]
        : [],
    ),
  );
  unique(
    report,
    config.pservers.flatMap((p, i) =>
      p.vserver?.addr && p.vserver.port !== null
        ? [
            {
              path: `/pservers/${i}/vserver/addr`,
              key: `${p.vserver.addr}:${p.vserver.port}`,
              what: `ESXi ${p.vserver.addr}:${p.vserver.port}`,
            },
          ]
        : [],
    ),
  );
  config.pdus.forEach((pdu, i) => {
    if (pdu.key !== pduKey(pdu.addr, pdu.port)) {
      report(`/pdus/${i}/key`, `key must be ${pduKey(pdu.addr, pdu.port)}`);
    }
  });
  unique(
    report,
    config.pdus.map((pdu, i) => ({ path: `/pdus/${i}/addr`, key: pdu.key, what: `PDU ${pdu.key}` })),
  );
  checkLinks(report, config, new Set(config.pdus.map((p) => p.key)));
  return issues;
}
