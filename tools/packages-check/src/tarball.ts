// A package folder as an npm tarball (gzipped ustar, every file under `package/`), built in
// process: the third-party dependencies installed in the workspace are re-published into the
// test registry from their installed files (what their own tarball held), so the consumer's npm
// needs no other registry.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

function files(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules") return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path, root);
    return e.isFile() || e.isSymbolicLink() ? [relative(root, path)] : [];
  });
}

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  let path = `package/${name}`;
  let prefix = "";
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf("/", 155);
    prefix = path.slice(0, cut);
    path = path.slice(cut + 1);
  }
  const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, "0")}\0`;
  h.write(path, 0, 100);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.write("        ", 148); // checksum placeholder
  h.write("0", 156);
  h.write("ustar\u000000", 257);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

export interface Tarball {
  data: Buffer;
  shasum: string;
  integrity: string;
}

/** The folder's files (node_modules excepted) as an npm tarball. */
export function packFolder(dir: string): Tarball {
  const parts: Buffer[] = [];
  const mtime = Math.floor(Date.UTC(1985, 9, 26, 8, 15) / 1000); // npm's fixed tarball date
  for (const name of files(dir).sort()) {
    const path = join(dir, name);
    const body = readFileSync(path);
    const mode = statSync(path).mode & 0o111 ? 0o755 : 0o644;
    parts.push(header(name, body.length, mode, mtime), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const data = gzipSync(Buffer.concat(parts));
  return {
    data,
    shasum: createHash("sha1").update(data).digest("hex"),
    integrity: `sha512-${createHash("sha512").update(data).digest("base64")}`,
  };
}
