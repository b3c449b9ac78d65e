// What the manual's setting displays have no column for, printed after them as extra sections
// (like the reset-path authentication lines), and only when set to something other than the
// default, so the manual's examples stay verbatim: the IPMI cipher suite (default 17), the
// pinned ESXi host key (default: trusted on first use) and a forced PDU profile (default: by
// firmware). --json always carries all three.
import { DEFAULT_CIPHER_SUITE, type HaconnConfig } from "@haconn/config";

export function cipherLines(servers: readonly { name: string; bmc: { cipher: number } }[]): string[] {
  const set = servers.filter((s) => s.bmc.cipher !== DEFAULT_CIPHER_SUITE);
  if (set.length === 0) return [];
  return [
    "",
    `<iLO/RMC cipher suite> (others: ${DEFAULT_CIPHER_SUITE})`,
    ...set.map((s) => `${s.name}: cipher ${s.bmc.cipher}`),
  ];
}

export function hostKeyLines(config: HaconnConfig): string[] {
  const pinned = config.pservers.filter((p) => p.vserver?.hostKey);
  if (pinned.length === 0) return [];
  return [
    "",
    "<ESXi host key> (others: trusted on first use)",
    ...pinned.map((p) => `${p.name}: ${p.vserver!.hostKey}`),
  ];
}

export function profileLines(config: HaconnConfig): string[] {
  const forced = config.pdus.filter((p) => p.profile !== null);
  if (forced.length === 0) return [];
  return ["", "<ipdu profile> (others: chosen by firmware)", ...forced.map((p) => `${p.key}: ${p.profile}`)];
}
