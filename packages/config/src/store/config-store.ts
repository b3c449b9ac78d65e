// The configuration store: one JSON file in a directory given by the caller (the CLI reads
// HACONN_ETC_DIR; nothing here reads the environment). Reads validate; updates are serialized by
// a lock, validated before anything is written, and written atomically with a backup.
import { open } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson } from "../canonical.js";
import { ConfigError, isConfigError } from "../errors-catalog.js";
import { describeIssue } from "../labels.js";
import { migrateConfig } from "../migrate.js";
import { emptyConfig, type HaconnConfig, MAX_CONFIG_BYTES } from "../types.js";
import { validateConfig } from "../validate.js";
import { directoryOwner, writeFileAtomic } from "./atomic-write.js";
import { makeDirectory } from "./make-directory.js";
import { acquireLock, type LockOptions } from "./lock.js";

export const CONFIG_FILE_NAME = "haconn.json";

export interface ConfigStoreOptions {
  lock?: LockOptions;
}

export interface UpdateResult {
  config: HaconnConfig;
  /** False when the mutation left the content unchanged (nothing was written). */
  changed: boolean;
}

function ioError(action: string, path: string, cause: unknown): ConfigError {
  const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
  return new ConfigError("CONFIG_IO", `cannot ${action} ${path}: ${reason}`, { cause, details: { path } });
}

export class ConfigStore {
  readonly dir: string;
  /** The configuration file, `<dir>/haconn.json`. */
  readonly path: string;
  /** The previous version, kept at every successful update. */
  readonly backupPath: string;
  readonly lockPath: string;
  readonly #lock: LockOptions;

  constructor(dir: string, options: ConfigStoreOptions = {}) {
    this.dir = dir;
    this.path = join(dir, CONFIG_FILE_NAME);
    this.backupPath = `${this.path}.bak`;
    this.lockPath = `${this.path}.lock`;
    this.#lock = options.lock ?? {};
  }

  /**
   * The raw file text, or undefined when there is no file yet. At most MAX_CONFIG_BYTES are
   * read: a bigger file (or a device, a FIFO) is refused before it costs memory.
   */
  async #readText(): Promise<string | undefined> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw ioError("read", this.path, error);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        throw new ConfigError("CONFIG_TOO_LARGE", `${this.path}: not a regular file; not read`, {
          details: { path: this.path },
        });
      }
      const tooLarge = () =>
        new ConfigError(
          "CONFIG_TOO_LARGE",
          `${this.path}: larger than ${MAX_CONFIG_BYTES} bytes (1 MiB); refused, not read`,
          { details: { path: this.path, limit: MAX_CONFIG_BYTES } },
        );
      if (st.size > MAX_CONFIG_BYTES) throw tooLarge();
      const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > MAX_CONFIG_BYTES) throw tooLarge(); // grew while being read
      }
      return buffer.subarray(0, length).toString("utf8");
    } catch (error) {
      if (isConfigError(error)) throw error;
      throw ioError("read", this.path, error);
    } finally {
      await handle.close();
    }
  }

  #parse(text: string): HaconnConfig {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      // Never the parser's message: it quotes the file's first bytes (a haconn.json that is a
      // symlink to /etc/shadow must not print them). Only where it failed.
      const at = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new ConfigError(
        "CONFIG_CORRUPT",
        `${this.path}: not valid JSON${at === undefined ? "" : ` (at byte ${at})`}; contents not shown`,
        {
          issues: [{ path: "", message: "not valid JSON" }],
          details: { path: this.path },
        },
      );
    }
    try {
      doc = migrateConfig(doc);
    } catch (error) {
      if (isConfigError(error)) {
        throw new ConfigError(error.code, `${this.path}: ${error.message}`, {
          cause: error,
          details: error.details,
        });
      }
      throw error;
    }
    const result = validateConfig(doc);
    if (!result.ok) {
      const first = result.issues[0]!;
      throw new ConfigError(
        "CONFIG_CORRUPT",
        `${this.path}: ${describeIssue(doc, first)}${first.path ? ` (at ${first.path})` : ""}`,
        {
          issues: result.issues,
          details: { path: this.path, jsonPath: first.path },
        },
      );
    }
    return result.config;
  }

  /** The stored configuration, or an empty one when no file exists yet. */
  async read(): Promise<HaconnConfig> {
    const text = await this.#readText();
    return text === undefined ? emptyConfig() : this.#parse(text);
  }

  async exists(): Promise<boolean> {
    return (await this.#readText()) !== undefined;
  }

  /**
   * Under the lock: load, apply `mutate` to a copy, validate, and save only if valid. A throw
   * from `mutate` or an invalid result leaves the file byte-for-byte unchanged.
   */
  async update(
    // biome-ignore lint/suspicious/noConfusingVoidType: a mutation edits the draft or returns a replacement
    mutate: (draft: HaconnConfig) => HaconnConfig | void,
  ): Promise<UpdateResult> {
    try {
      await makeDirectory(this.dir, 0o700);
    } catch (error) {
      throw ioError("create", this.dir, error);
    }
    let release: () => Promise<void>;
    try {
      release = await acquireLock(this.lockPath, this.#lock);
    } catch (error) {
      if (isConfigError(error)) throw error;
      throw ioError("lock", this.lockPath, error);
    }
    try {
      const text = await this.#readText();
      const current = text === undefined ? emptyConfig() : this.#parse(text);
      const draft = structuredClone(current);
      const next = mutate(draft) ?? draft;
      const result = validateConfig(next);
      if (!result.ok) {
        const first = result.issues[0]!;
        throw new ConfigError("CONFIG_INVALID", describeIssue(next, first), { issues: result.issues });
      }
      if (text !== undefined && canonicalJson(current) === canonicalJson(next)) {
        return { config: current, changed: false };
      }
      try {
        const owner = await directoryOwner(this.dir);
        if (text !== undefined) await writeFileAtomic(this.backupPath, text, 0o600, owner);
        await writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`, 0o600, owner);
      } catch (error) {
        throw ioError("write", this.path, error);
      }
      return { config: next, changed: true };
    } finally {
      await release();
    }
  }
}
