// Where trust-on-first-use host keys are recorded. The file store keeps one JSON file beside
// the configuration (so it is copied to the standby with it); it holds no secret.
import { randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isFingerprint } from "./fingerprint.js";

/** Host id: `<addr>:<port>` (see hostIdOf). */
export interface HostKeyStore {
  get(hostId: string): Promise<string | undefined>;
  put(hostId: string, fingerprint: string): Promise<void>;
}

export function hostIdOf(addr: string, port: number): string {
  return `${addr}:${port}`;
}

/** For tests and for callers that keep the records elsewhere. */
export class MemoryHostKeyStore implements HostKeyStore {
  readonly #keys = new Map<string, string>();
  constructor(initial: Record<string, string> = {}) {
    for (const [id, fp] of Object.entries(initial)) this.#keys.set(id, fp);
  }
  async get(hostId: string): Promise<string | undefined> {
    return this.#keys.get(hostId);
  }
  async put(hostId: string, fingerprint: string): Promise<void> {
    this.#keys.set(hostId, fingerprint);
  }
  entries(): Record<string, string> {
    return Object.fromEntries(this.#keys);
  }
}

interface HostKeyFile {
  version: 1;
  hosts: Record<string, { fingerprint: string; recordedAt: string }>;
}

/**
 * JSON file `{version: 1, hosts: {"<addr>:<port>": {fingerprint, recordedAt}}}`, written
 * atomically (temp file + rename, mode 0644). Writes from this process are serialized; the file
 * is re-read on every call so an edit by the CLI (or a copy from the primary) is seen at once.
 */
export class FileHostKeyStore implements HostKeyStore {
  readonly path: string;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  async get(hostId: string): Promise<string | undefined> {
    return (await this.#read()).hosts[hostId]?.fingerprint;
  }

  put(hostId: string, fingerprint: string): Promise<void> {
    if (!isFingerprint(fingerprint)) {
      return Promise.reject(new TypeError(`not a SHA256 fingerprint: ${fingerprint}`));
    }
    const next = this.#chain.then(async () => {
      const file = await this.#read();
      file.hosts[hostId] = { fingerprint, recordedAt: new Date().toISOString() };
      await this.#write(file);
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Every record, for display (`haconnshow`). */
  async list(): Promise<Record<string, string>> {
    const file = await this.#read();
    return Object.fromEntries(Object.entries(file.hosts).map(([id, r]) => [id, r.fingerprint]));
  }

  async #read(): Promise<HostKeyFile> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, hosts: {} };
      throw error;
    }
    let parsed: Partial<HostKeyFile>;
    try {
      parsed = JSON.parse(text) as Partial<HostKeyFile>;
    } catch {
      // Never the parser's message: it quotes the file's first bytes.
      throw new Error(`${this.path}: not valid JSON, not a host key file (version 1); contents not shown`);
    }
    if (parsed.version !== 1 || typeof parsed.hosts !== "object" || parsed.hosts === null) {
      throw new Error(`${this.path}: not a host key file (version 1)`);
    }
    return { version: 1, hosts: { ...parsed.hosts } };
  }

  async #write(file: HostKeyFile): Promise<void> {
    const temp = join(
      dirname(this.path),
      `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
    );
    try {
      await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644, flag: "wx" });
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}
