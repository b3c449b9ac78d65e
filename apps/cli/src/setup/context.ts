// What every haconnsetup command works with, and the one way they change the configuration.
import {
  type ConfigStore,
  ConfigError,
  describeIssue,
  type HaconnConfig,
  type ManagedServer,
  type ManagementServer,
  validateConfig,
} from "@haconn/config";
import { CliError } from "../errors.js";
import type { BmcChecker, CliIo } from "../io.js";

export interface SetupContext {
  io: CliIo;
  store: ConfigStore;
  checkBmc: BmcChecker;
  /** Reads a secret (prompt without echo on a terminal, one line from a pipe). */
  secret(label: string): Promise<string>;
  /** Set by change(): whether the file was rewritten (for the confirmation line). */
  saved?: { changed: boolean };
  /** A message that replaces the confirmation line (e.g. "nothing to delete"). */
  note?: string;
}

export type Mutation = (config: HaconnConfig) => void;

/** Satisfies every password rule, so arguments are validated before the operator is prompted. */
export const PLACEHOLDER_SECRET = "Placeholder1";

function dryRun(current: HaconnConfig, mutate: Mutation): HaconnConfig {
  const draft = structuredClone(current);
  mutate(draft);
  const result = validateConfig(draft);
  if (!result.ok) {
    const first = result.issues[0]!;
    throw new ConfigError("CONFIG_INVALID", describeIssue(draft, first), { issues: result.issues });
  }
  return draft;
}

/** Validates `mutate` against the stored configuration without writing (before a prompt). */
export async function preflight(ctx: SetupContext, mutate: Mutation): Promise<void> {
  dryRun(await ctx.store.read(), mutate);
}

/**
 * Applies `mutate` under the store's lock; saved only if the result is valid. With `precheck`,
 * the result is validated first and `precheck` (e.g. the iLO check) must pass before saving.
 */
export async function change(
  ctx: SetupContext,
  mutate: Mutation,
  precheck?: (next: HaconnConfig) => Promise<void>,
): Promise<void> {
  if (precheck) await precheck(dryRun(await ctx.store.read(), mutate));
  const { changed } = await ctx.store.update(mutate);
  ctx.saved = { changed };
}

export function findMserver(config: HaconnConfig, name: string): ManagementServer {
  const server = config.mservers.find((m) => m.name === name);
  if (!server)
    throw new CliError("CLI_NOT_FOUND", `${name}: no such management server (see haconnshow mserversetting)`);
  return server;
}

export function findPserver(config: HaconnConfig, name: string): ManagedServer {
  const server = config.pservers.find((p) => p.name === name);
  if (!server)
    throw new CliError("CLI_NOT_FOUND", `${name}: no such managed server (see haconnshow setting)`);
  return server;
}
