// The rules a JSON Schema cannot say (manual-digest §5.3-5.5, §6): required-when, uniqueness,
// references, port clashes. Runs only on a configuration that already matches the schema.
import { checkAddresses } from "./address-rules.js";
import type { ValidationIssue } from "./errors-catalog.js";
import { maskToPrefix } from "./ipv4.js";
import { objectLabel } from "./labels.js";
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

/**
 * The PDU profiles an operator may force (`ipdu add … profile=`). The same names as the ipdu
 * package's profile table (packages/ipdu/src/profiles.ts; a CLI test keeps the two equal).
 */
export const PDU_PROFILE_NAMES: readonly string[] = ["ibm-col11", "ibm-col13"];

/** Reports every later occurrence of a key already seen, naming the earlier one in operator words. */
function unique<T>(
  report: Report,
  items: { path: string; key: T; what: string }[],
  where: (path: string) => string,
): void {
  const seen = new Map<T, string>();
  for (const item of items) {
    const first = seen.get(item.key);
    if (first === undefined) seen.set(item.key, item.path);
    else report(item.path, `${item.what} is already used by ${where(first)}`);
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
  unique(report, links, (path) => objectLabel(config, path));
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

  // Names are unique case-insensitively across management and managed servers: an operator
  // (and HA Monitor's partition name) must never have to tell HACON1 from hacon1.
  const names = [
    ...config.mservers.map((m, i) => ({
      path: `/mservers/${i}/name`,
      key: m.name.toLowerCase(),
      name: m.name,
    })),
    ...config.pservers.map((p, i) => ({
      path: `/pservers/${i}/name`,
      key: p.name.toLowerCase(),
      name: p.name,
    })),
  ];
  names.forEach((item, i) => {
    const earlier = names.slice(0, i).find((o) => o.key === item.key);
    if (!earlier) return;
    const kind = earlier.path.startsWith("/mservers") ? "management server" : "managed server";
    report(
      item.path,
      earlier.name === item.name
        ? `name ${item.name} is already used by another ${kind}`
        : `name ${item.name} is already used by ${kind} ${earlier.name} (names are compared ignoring case)`,
    );
  });
  checkAddresses(config, report);
  config.pdus.forEach((pdu, i) => {
    if (pdu.key !== pduKey(pdu.addr, pdu.port)) {
      report(`/pdus/${i}/key`, `key must be ${pduKey(pdu.addr, pdu.port)}`);
    }
    if (pdu.profile !== null && !PDU_PROFILE_NAMES.includes(pdu.profile)) {
      report(
        `/pdus/${i}/profile`,
        `unknown profile "${pdu.profile}" (known: ${PDU_PROFILE_NAMES.join(", ")}; omit profile= to choose by firmware)`,
      );
    }
  });
  checkLinks(report, config, new Set(config.pdus.map((p) => p.key)));
  return issues;
}
