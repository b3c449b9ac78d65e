// A private Verdaccio for the registry round trip: 127.0.0.1, a random port, storage and
// htpasswd in a temporary folder, NO uplinks (it never asks the public registry anything), one
// user created through the registry's own adduser endpoint.

import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import type { InstalledPackage } from "./dependency-closure.js";
import { packFolder } from "./tarball.js";

export interface Registry {
  url: string;
  token: string;
  /** Everything Verdaccio printed (warnings and errors only). */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function config(dir: string): string {
  return [
    `storage: ${join(dir, "storage")}`,
    "auth:",
    "  htpasswd:",
    `    file: ${join(dir, "htpasswd")}`,
    "    max_users: 1",
    "    algorithm: bcrypt",
    "    rounds: 4",
    "uplinks: {}",
    "packages:",
    "  '**':",
    "    access: $authenticated",
    "    publish: $authenticated",
    "    unpublish: $authenticated",
    // JWT API tokens: a request is checked with an HMAC, not a bcrypt of the password (the legacy
    // token makes every request of an install cost a bcrypt).
    "security:",
    "  api:",
    "    jwt:",
    "      sign: { expiresIn: 1h }",
    "web:",
    "  enable: false",
    "log: { type: stdout, format: pretty, level: warn }",
    "",
  ].join("\n");
}

async function waitReady(url: string, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited ${child.exitCode}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("verdaccio did not answer /-/ping");
}

/** Starts Verdaccio on 127.0.0.1 with its state in `dir`, and creates the user `haconn-ci`. */
export async function startVerdaccio(dir: string): Promise<Registry> {
  const file = join(dir, "config.yaml");
  writeFileSync(file, config(dir));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = join(
    dirname(createRequire(import.meta.url).resolve("verdaccio/package.json")),
    "bin/verdaccio",
  );
  const child = spawn(process.execPath, [bin, "--config", file, "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  try {
    await waitReady(url, child, Date.now() + 20_000);
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const res = await fetch(`${url}-/user/org.couchdb.user:haconn-ci`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "haconn-ci", password, type: "user", roles: [] }),
    });
    const body = (await res.json()) as { token?: string };
    if (!res.ok || !body.token) throw new Error(`adduser failed: ${res.status} ${JSON.stringify(body)}`);
    return { url, token: body.token, log: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
}

/**
 * Publishes an installed third-party package (its files as installed) through the registry's
 * publish endpoint, the request `npm publish` sends.
 */
export async function publishInstalled(registry: Registry, pkg: InstalledPackage): Promise<void> {
  const tar = packFolder(pkg.dir);
  const base = pkg.name.split("/").pop();
  const tarballName = `${base}-${pkg.version}.tgz`;
  const doc = {
    _id: pkg.name,
    name: pkg.name,
    "dist-tags": { latest: pkg.version },
    versions: {
      [pkg.version]: {
        ...pkg.manifest,
        _id: `${pkg.name}@${pkg.version}`,
        dist: {
          shasum: tar.shasum,
          integrity: tar.integrity,
          tarball: `${registry.url}${pkg.name}/-/${tarballName}`,
        },
      },
    },
    _attachments: {
      [tarballName]: {
        content_type: "application/octet-stream",
        data: tar.data.toString("base64"),
        length: tar.data.length,
      },
    },
  };
  const res = await fetch(`${registry.url}${pkg.name.replace("/", "%2f")}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${registry.token}` },
    body: JSON.stringify(doc),
  });
  if (!res.ok) throw new Error(`publishing ${pkg.name}@${pkg.version}: ${res.status} ${await res.text()}`);
}
