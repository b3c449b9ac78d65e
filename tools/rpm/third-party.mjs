#!/usr/bin/env node
// Third-party notices of the application bundles, and proof that what they carry is exactly what
// pnpm-lock.yaml pins (issue #15): every npm package that esbuild put into a bundle (from the
// bundles' metafiles) must be a `name@version` entry of the lockfile, else the build fails.
//
//   node tools/rpm/third-party.mjs --lock pnpm-lock.yaml --out NOTICES.md dist/metafile-esm.json...
//
// Prints one line per bundled package (`name@version license`) on stdout; exit 2 on a package
// that is not in the lockfile, or on an unreadable input.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

function fail(message) {
  process.stderr.write(`third-party.mjs: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let lock = "";
let out = "";
const metafiles = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--lock") lock = args[++i] ?? "";
  else if (args[i] === "--out") out = args[++i] ?? "";
  else metafiles.push(args[i]);
}
if (!lock || !out || metafiles.length === 0) fail("usage: --lock FILE --out FILE METAFILE...");

/** `name@version` keys of the lockfile's packages: section (lockfile v9). */
function lockedPackages(text) {
  const keys = new Set();
  let inPackages = false;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) inPackages = line === "packages:" || line === "snapshots:";
    if (!inPackages) continue;
    const m = /^ {2}'?((?:@[^@/\s']+\/)?[^@\s']+)@([^:'(\s]+)/.exec(line);
    if (m) keys.add(`${m[1]}@${m[2]}`);
  }
  return keys;
}

const locked = lockedPackages(readFileSync(lock, "utf8"));
const root = dirname(resolve(lock));
/** package directory (relative to the repository) → its package.json */
const bundled = new Map();
for (const file of metafiles) {
  const meta = JSON.parse(readFileSync(file, "utf8"));
  for (const input of Object.keys(meta.inputs ?? {})) {
    // node_modules/.pnpm/<store dir>/node_modules/<name>/<file>, relative to the app's folder
    const m = /^(.*node_modules\/\.pnpm\/[^/]+\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m) continue;
    const dir = resolve(dirname(file), "..", m[1]);
    if (!bundled.has(dir)) bundled.set(dir, JSON.parse(readFileSync(join(dir, "package.json"), "utf8")));
  }
}

const LICENSE_FILE = /^(licen[cs]e|copying|notice)(\.(md|txt|markdown))?$/i;
const rows = [];
const sections = [];
const unknown = [];
for (const [dir, pkg] of [...bundled].sort(([, a], [, b]) => a.name.localeCompare(b.name))) {
  const id = `${pkg.name}@${pkg.version}`;
  if (!locked.has(id)) unknown.push(`${id} (${dir.slice(root.length + 1)})`);
  const license =
    typeof pkg.license === "string"
      ? pkg.license
      : (pkg.license?.type ?? (pkg.licenses ?? []).map((l) => l.type ?? l).join(" OR ")) || "UNKNOWN";
  rows.push(`${id} ${license}`);
  const texts = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => LICENSE_FILE.test(f))
        .map((f) => readFileSync(join(dir, f), "utf8").trim())
    : [];
  sections.push(
    `## ${id}\n\nLicense: ${license}\n\n${texts.length ? texts.map((t) => `\`\`\`\n${t}\n\`\`\``).join("\n\n") : "(the package ships no license file)"}\n`,
  );
}
if (unknown.length) fail(`bundled packages that pnpm-lock.yaml does not pin:\n  ${unknown.join("\n  ")}`);
if (rows.length === 0) fail("the metafiles list no npm package: is this the right build?");

writeFileSync(
  out,
  `# Third-party software in haconnr2\n\nThe programs under lib/app bundle these npm packages, at the versions pinned by the\nproject's pnpm-lock.yaml. Each is listed with its license and the license text it ships.\n\n${sections.join("\n")}`,
);
process.stdout.write(`${rows.join("\n")}\n`);
