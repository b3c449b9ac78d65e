// Schema-version migrations. A stored file of an older version is upgraded step by step before
// validation; a newer version than this program knows is refused (never silently rewritten).
import { ConfigError } from "./errors-catalog.js";
import { SCHEMA_VERSION } from "./types.js";

/** MIGRATIONS[n] turns a version-n document into a version-(n+1) document. None yet. */
export const MIGRATIONS: Readonly<Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>> =
  {};

/**
 * Upgrades `doc` to SCHEMA_VERSION. Leaves anything that is not an object with a numeric
 * schemaVersion untouched, so that the schema reports it with its path.
 */
export function migrateConfig(
  doc: unknown,
  migrations: Readonly<
    Record<number, (doc: Record<string, unknown>) => Record<string, unknown>>
  > = MIGRATIONS,
  target: number = SCHEMA_VERSION,
): unknown {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return doc;
  let current = doc as Record<string, unknown>;
  let version = current.schemaVersion;
  if (typeof version !== "number" || !Number.isInteger(version)) return doc;
  if (version > target) {
    throw new ConfigError(
      "CONFIG_VERSION",
      `schema version ${version} is newer than this program supports (${target})`,
      { details: { version, supported: target } },
    );
  }
  while (version < target) {
    const step = migrations[version];
    if (!step) {
      throw new ConfigError("CONFIG_VERSION", `no migration from schema version ${version}`, {
        details: { version, supported: target },
      });
    }
    current = { ...step(current), schemaVersion: version + 1 };
    version += 1;
  }
  return current;
}
