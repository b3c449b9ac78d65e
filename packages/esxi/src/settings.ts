// From the configuration model (`haconnsetup vserver …`) to an EsxiHost.
import type { VirtualServerSettings } from "@haconn/config";
import { type EsxiHostOptions, EsxiHost } from "./esxi-host.js";

export type EsxiHostExtras = Omit<EsxiHostOptions, "addr" | "port" | "username" | "password" | "hostKey">;

/** Throws a TypeError naming the missing field when the vserver settings are incomplete. */
export function esxiHostFromSettings(
  settings: Readonly<VirtualServerSettings>,
  extras: EsxiHostExtras,
): EsxiHost {
  const { addr, port, account, password } = settings;
  if (addr === null || port === null || account === null || password === null) {
    const missing = (["addr", "port", "account", "password"] as const).filter((k) => settings[k] === null);
    throw new TypeError(`vserver settings incomplete: ${missing.join(", ")} not set`);
  }
  return new EsxiHost({ ...extras, addr, port, username: account, password, hostKey: settings.hostKey });
}
