// The registry round trip (issue #21 point 4): a private Verdaccio (127.0.0.1, no uplinks), every
// package published to it with the ordinary `pnpm publish`, then a consumer project outside the
// workspace installs them with plain `npm install` from that registry only (private HOME, npmrc
// and empty npm cache), runs every README example against the lab's simulators and type-checks
// the examples and an import of every published entry under `tsc --strict`.
//
// The consumer's npm knows no other registry, so the third-party packages ours depend on (ajv,
// execa, net-snmp, ssh2 and theirs, and @types/node for the type check) are published into the
// same Verdaccio first, from the files the workspace installed from pnpm-lock.yaml. Install
// scripts are off in the consumer (ignore-scripts), as in the workspace: ssh2's optional native
// add-ons are not built (pnpm-workspace.yaml). A transcript goes to .reports/registry-run.md.

import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dependencyClosure } from "./dependency-closure.js";
import { EXAMPLE_OUTPUT } from "./example-expectations.js";
import { type ExampleSims, startExampleSims } from "./example-sims.js";
import { readmeExample, runExample } from "./readme-examples.js";
import { publishInstalled, type Registry, startVerdaccio } from "./verdaccio.js";
import { publishedExports, publishedPackages, ROOT } from "./workspace.js";

interface Run {
  code: number | null;
  out: string;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  timeout = 60_000,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd, env, timeout, killSignal: "SIGKILL", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

const packages = publishedPackages();
const tmp = mkdtempSync(join(tmpdir(), "haconn-registry-"));
const transcript: string[] = [];
const note = (title: string, body: string) =>
  transcript.push(`## ${title}\n\n\`\`\`\n${body.trimEnd()}\n\`\`\`\n`);
let registry: Registry | undefined;
let sims: ExampleSims | undefined;

afterAll(async () => {
  await Promise.allSettled([registry?.stop(), sims?.stop()]);
  mkdirSync(join(ROOT, ".reports"), { recursive: true });
  writeFileSync(join(ROOT, ".reports/registry-run.md"), `# Registry round trip\n\n${transcript.join("\n")}`);
  rmSync(tmp, { recursive: true, force: true });
});

describe("registry round trip (Verdaccio)", () => {
  it("publishes with pnpm publish, installs with npm from that registry only, runs every README example", async () => {
    const started = Date.now();
    const lap = (what: string) =>
      transcript.push(`- ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const p of packages)
      expect(readFileSync(join(p.path, "dist/index.d.ts"), "utf8").length, `${p.dir} built`).toBeGreaterThan(
        0,
      );
    [registry, sims] = await Promise.all([
      startVerdaccio(mkdirP(join(tmp, "registry"))),
      startExampleSims(packages.some((p) => p.dir === "client")),
    ]);
    const reg = registry;
    const host = reg.url.replace(/^http:/, "");
    lap(`Verdaccio ${reg.url} up (no uplinks), simulators up`);

    const thirdParty = dependencyClosure(
      packages.map((p) => p.path),
      (name) => name.startsWith("@haconn/"),
      [join(ROOT, "node_modules/@types/node")],
    );
    const thirdPartyPublished = (async () => {
      for (let i = 0; i < thirdParty.length; i += 8)
        await Promise.all(thirdParty.slice(i, i + 8).map((d) => publishInstalled(reg, d)));
    })();

    const publisherHome = mkdirP(join(tmp, "publisher-home"));
    writeFileSync(join(publisherHome, ".npmrc"), `registry=${reg.url}\n${host}:_authToken=${reg.token}\n`);
    const publishEnv = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: publisherHome,
      npm_config_userconfig: join(publisherHome, ".npmrc"),
      npm_config_cache: join(tmp, "publisher-npm-cache"),
      npm_config_update_notifier: "false",
    };
    const [published] = await Promise.all([
      Promise.all(
        packages.map((p) =>
          run("pnpm", ["publish", "--no-git-checks", "--registry", reg.url], p.path, publishEnv),
        ),
      ),
      thirdPartyPublished,
    ]);
    for (const [i, r] of published.entries()) {
      note(`pnpm publish (${packages[i]!.manifest.name})`, r.out);
      expect(r.code, `${packages[i]!.manifest.name}: ${r.out}`).toBe(0);
    }
    lap(
      `${packages.length} packages published with pnpm publish; meanwhile ${thirdParty.length} third-party packages from the workspace's installed files`,
    );

    // The consumer: outside the workspace, its own HOME, npmrc and empty cache; only the registry.
    const consumer = mkdirP(join(tmp, "consumer"));
    const home = mkdirP(join(tmp, "consumer-home"));
    const npmrc = [
      `registry=${reg.url}`,
      `${host}:_authToken=${reg.token}`,
      "ignore-scripts=true",
      "audit=false",
      "fund=false",
      "update-notifier=false",
      "",
    ];
    writeFileSync(join(home, ".npmrc"), npmrc.join("\n"));
    const typesNode = thirdParty.find((d) => d.name === "@types/node")!;
    writeFileSync(
      join(consumer, "package.json"),
      JSON.stringify(
        {
          name: "haconn-consumer",
          private: true,
          type: "module",
          dependencies: Object.fromEntries(packages.map((p) => [p.manifest.name, p.manifest.version])),
          devDependencies: { "@types/node": typesNode.version },
        },
        null,
        2,
      ),
    );
    const consumerEnv = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      npm_config_userconfig: join(home, ".npmrc"),
      npm_config_cache: join(tmp, "consumer-npm-cache"),
    };
    const install = await run("npm", ["install"], consumer, consumerEnv);
    note("npm install (consumer)", install.out);
    expect(install.code, install.out).toBe(0);
    const lock = JSON.parse(readFileSync(join(consumer, "package-lock.json"), "utf8")) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    const resolved = Object.entries(lock.packages).filter(([k]) => k !== "");
    for (const [path, entry] of resolved)
      if (entry.resolved) expect(entry.resolved, path).toMatch(new RegExp(`^${reg.url}`));
    for (const p of packages) {
      expect(lock.packages[`node_modules/${p.manifest.name}`]?.version).toBe(p.manifest.version);
      // What the tarball held: dist, README, LICENSE, package.json; workspace:* became versions.
      const installed = join(consumer, "node_modules", p.manifest.name);
      expect(readdirSync(installed).sort(), p.dir).toEqual(["LICENSE", "README.md", "dist", "package.json"]);
      const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
      for (const [dep, range] of Object.entries<string>(manifest.dependencies ?? {}))
        expect(range, `${p.dir} -> ${dep}`).toMatch(/^\d+\.\d+\.\d+$/);
      const shipsTest = existsSync(join(installed, "dist/test"));
      expect(shipsTest, `${p.dir}: dist/test only with ./test`).toBe(
        "./test" in publishedExports(p.manifest),
      );
    }
    lap(`npm install: ${resolved.length} packages, every one from ${reg.url}`);

    const imports = packages.flatMap((p) =>
      Object.keys(publishedExports(p.manifest))
        .filter((s) => s !== "./package.json")
        .map(
          (s, i) =>
            `import * as m${p.dir.replace(/\W/g, "")}${i} from "${p.manifest.name}${s.slice(1)}";\nconsole.log(Object.keys(m${p.dir.replace(/\W/g, "")}${i}).length);`,
        ),
    );
    writeFileSync(join(consumer, "imports.ts"), `${imports.join("\n")}\n`);
    const examples = packages.map((p) => ({ p, source: readmeExample(p.path) }));
    for (const { p, source } of examples) writeFileSync(join(consumer, `${p.dir}.ts`), source);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "ES2023",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        types: ["node"],
        skipLibCheck: false, // our .d.ts files are checked too; TypeScript's own lib files are not
        skipDefaultLibCheck: true,
      },
      include: ["*.ts"],
    };
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    const typeCheck = run(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", consumer],
      consumer,
      consumerEnv,
    );

    // Each example drives its own simulator (or none): they run side by side.
    const runs = await Promise.all(
      examples.map(({ p, source }) => runExample(consumer, p.dir, source, sims!.env)),
    );
    for (const [i, { p }] of examples.entries()) {
      const r = runs[i]!;
      note(`README example of ${p.manifest.name} (${r.ms} ms)`, `${r.stdout}${r.stderr}`);
      expect(r.stderr, p.dir).toBe("");
      expect(r.code, `${p.dir}: ${r.stdout}`).toBe(0);
      for (const pattern of EXAMPLE_OUTPUT[p.dir] ?? [/./]) expect(r.stdout).toMatch(pattern);
      expect(await sims.check(p.dir, r.stdout), p.dir).toBe("");
    }
    lap("every README example ran from the installed packages");
    const imported = await run(process.execPath, [join(consumer, "imports.ts")], consumer, consumerEnv);
    expect(imported.code, imported.out).toBe(0);
    const tsc = await typeCheck;
    note(
      "tsc --strict -p consumer (the examples and an import of every published entry)",
      tsc.out || "(no errors)",
    );
    expect(tsc.code, tsc.out).toBe(0);
    lap("tsc --strict clean; every published entry imports in Node");

    const seconds = (Date.now() - started) / 1000;
    transcript.unshift(`Total ${seconds.toFixed(1)} s (${new Date().toISOString()}).\n`);
    expect(seconds, "bounded: well under a minute").toBeLessThan(60);
  }, 180_000);
});

function mkdirP(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
