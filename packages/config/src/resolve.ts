// resolveConfig(): the one frozen, typed object the daemon and the CLI pass down
// (ARCHITECTURE example 7). Validates, copies, derives, deep-freezes.
import { configDigest } from "./canonical.js";
import { ConfigError } from "./errors-catalog.js";
import { DEFAULT_HARD_RESET_DELAY_MS, type ResolvedConfig } from "./types.js";
import { validateConfig } from "./validate.js";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Throws ConfigError CONFIG_INVALID (with every issue) when `value` is not a valid configuration. */
export function resolveConfig(value: unknown): ResolvedConfig {
  const result = validateConfig(value);
  if (!result.ok) {
    const first = result.issues[0]!;
    throw new ConfigError("CONFIG_INVALID", `invalid configuration: ${first.path}: ${first.message}`, {
      issues: result.issues,
    });
  }
  const copy = structuredClone(result.config);
  const resolved = {
    ...copy,
    digest: configDigest(copy),
    hardResetDelayMs: copy.hispeed.resetTimeMs ?? DEFAULT_HARD_RESET_DELAY_MS,
    kdumpPort: copy.kdump?.port ?? null,
    resetPathInsecure: copy.resetpath?.insecure === true,
  };
  return deepFreeze(resolved) as ResolvedConfig;
}
