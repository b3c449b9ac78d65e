// Builds the RPMs once with tools/rpm/build.sh (both OSes, releases 1 and 2 from one staged
// tree, with empty private package-manager caches), inspects them, and runs the install →
// reinstall → upgrade → refused downgrade → erase lifecycle in a scratch root, with the
// package's scriptlets really running (chrooted /bin/sh) and the installed commands running
// chrooted on the bundled Node only.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, runOk, which } from "./exec.js";
import {
  BUILD_SH,
  buildRpms,
  COMMANDS,
  COMPLETION,
  SYSCTL,
  CONFIG_DIR,
  HOME,
  LOG_DIR,
  missingCommands,
  OS_KIND,
  type PrivateCaches,
  privateCaches,
  OS_RELEASE,
  REPO,
  UNIT,
  UNIT_LINK,
} from "./layout.js";
import {
  controlRequest,
  createScratchRoot,
  freeUdpPort,
  runUntilReady,
  type ScratchRoot,
} from "./scratch-root.js";

const rpmbuild = which("rpmbuild");
const version = JSON.parse(readFileSync(join(REPO, "tools/rpm/package.json"), "utf8")).version as string;
const displayed = (os: keyof typeof OS_KIND, release: number) => `${OS_KIND[os]}.${version}.${release}`;
/** haconnshow version's display (manual §6.6.7): the heading, a blank line, the version. */
const versionDisplay = (v: string) => `-- HA monitor connector service version --\n\n${v}\n`;
const missing = missingCommands();
const present = COMMANDS.filter((c) => !missing.includes(c));
const hasCli = present.some((c) => c.name === "haconnshow");
const hasDaemon = present.some((c) => c.name === "haconnr2");
const STAMP_HINT =
  "haconnshow version must print the version the package stamps in /opt/hitachi/haconn2/etc/version (its launcher exports HACONN_VERSION_FILE)";

let work: string;
let el8: string;
let el9: string;
let el9next: string;
const roots: ScratchRoot[] = [];

const qp = (args: string[], rpm: string) => runOk("rpm", ["-qp", ...args, rpm]).stdout;

/** Bare package names a bundle imports (node: built-ins and relative paths left out). */
function npmImports(bundle: string): string[] {
  const text = readFileSync(bundle, "utf8");
  const specs = new Set<string>();
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"([\w@./:-]+)"/gm)) {
    const s = m[1]!;
    if (s.startsWith(".") || s.startsWith("/") || s.startsWith("node:") || builtinModules.includes(s))
      continue;
    specs.add(s);
  }
  return [...specs];
}

const title = rpmbuild ? "haconnr2 RPM" : "haconnr2 RPM (skipped: rpmbuild is not installed)";

describe.skipIf(!rpmbuild)(title, () => {
  let caches: PrivateCaches;
  let buildLog: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "haconn-rpm-test-"));
    caches = privateCaches();
    // A complete tree builds the real artifacts into dist/rpm; a tree where some app is not
    // built yet builds a partial package into a temporary directory only.
    const partial = missing.length > 0 ? ["--allow-missing"] : [];
    const out = partial.length ? join(work, "out") : join(REPO, "dist/rpm");
    const built = buildRpms(
      ["--os", "all", "--release", "1,2", "--out", out, ...partial],
      300_000,
      caches.env,
    );
    expect(built.status, built.stderr).toBe(0);
    buildLog = built.stderr;
    el8 = built.rpms.find((p) => p.endsWith(`-${version}-1.el8v.x86_64.rpm`))!;
    el9 = built.rpms.find((p) => p.endsWith(`-${version}-1.el9v.x86_64.rpm`))!;
    el9next = built.rpms.find((p) => p.endsWith(`-${version}-2.el9v.x86_64.rpm`))!;
    expect([el8, el9, el9next].every((p) => p && existsSync(p))).toBe(true);
  }, 300_000);

  afterAll(() => {
    for (const r of roots) rmSync(r.dir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
    if (caches) rmSync(caches.dir, { recursive: true, force: true });
  });

  it("builds from the checkout alone: no package-manager cache, store or registry is used", () => {
    // Run with a fresh HOME, XDG tree, npm cache and pnpm store/cache: a build that needed a used
    // machine's caches would have failed above; one that filled them would leave files here.
    // (rpmbuild keeps its own database in ~/.rpmdb: that is rpm's, not a package cache.)
    expect(caches.used().filter((f) => !f.startsWith("home/.rpmdb/"))).toEqual([]);
    expect(buildLog).toMatch(/bundling \d+ npm packages/);
    expect(readFileSync(BUILD_SH, "utf8")).not.toMatch(/\bpnpm\b[^\n]*\b(deploy|install|add|fetch)\b/);
  });

  it("is named and versioned per OS as the manual says (rpm -qpi)", () => {
    expect(el8).toMatch(new RegExp(`/haconnr2-${version}-1\\.el8v\\.x86_64\\.rpm$`));
    expect(el9).toMatch(new RegExp(`/haconnr2-${version}-1\\.el9v\\.x86_64\\.rpm$`));
    const info = qp(["-i"], el9);
    expect(info).toMatch(/^Name\s*: haconnr2$/m);
    expect(info).toMatch(new RegExp(`^Version\\s*: ${version.replaceAll(".", "\\.")}$`, "m"));
    expect(info).toMatch(/^Release\s*: 1\.el9v$/m);
    expect(info).toMatch(/^Architecture: x86_64$/m);
    expect(info).toContain(`displayed version ${displayed("el9", 1)}`);
    expect(qp(["-i"], el8)).toContain(`displayed version ${displayed("el8", 1)}`);
  });

  it("lays files out as the manual says, with a private runtime and nothing outside its trees (rpm -qpl)", () => {
    const lines = qp(["--qf", "[%{FILEMODES:perms} %{FILENAMES}\n]"], el9).trim().split("\n");
    const mode = new Map(lines.map((l) => [l.slice(11), l.slice(0, 10)] as const));
    for (const c of present) {
      expect(mode.get(`${HOME}/bin/${c.name}`), c.name).toBe("-rwxr-xr-x");
      expect(mode.has(`${HOME}/lib/app/${c.app}/${c.entry}.js`), c.entry).toBe(true);
    }
    // The daemon's ESXi worker thread loads its bundle from beside haconnd.js.
    if (present.some((c) => c.app === "haconnd"))
      expect(mode.has(`${HOME}/lib/app/haconnd/esxi-worker.js`), "esxi-worker").toBe(true);
    expect(mode.get(`${HOME}/lib/node`)).toBe("-rwxr-xr-x");
    expect(mode.get(`${HOME}/lib/haconnd-wait-ready`)).toBe("-rwxr-xr-x");
    expect(mode.get(UNIT)).toBe("-rw-r--r--");
    expect(mode.get(`${HOME}/etc/version`)).toBe("-rw-r--r--");
    expect(mode.get(CONFIG_DIR)).toBe("drwx------");
    expect(mode.get(LOG_DIR)).toBe("drwxr-x---");
    // Only directories under the configuration tree: haconnsetup writes the files.
    for (const [path, m] of mode) if (path.startsWith("/etc/opt/")) expect(m[0], path).toBe("d");
    // The bash completion is the one file outside the product's trees.
    expect(mode.get(COMPLETION)).toBe("-rw-r--r--");
    expect(mode.get(SYSCTL)).toBe("-rw-r--r--");
    expect(readFileSync(join(REPO, "tools/completion/haconn.bash"), "utf8")).toContain("complete ");
    // The man pages: haconn*(1), haconn.json(5), haconnd(8), generated from --help (compressed).
    const manPages = [...mode.keys()].filter((p) => p.startsWith("/usr/share/man/")).sort();
    if (hasCli)
      expect(manPages).toEqual(
        expect.arrayContaining([
          ...present.filter((c) => c.app === "cli").map((c) => `/usr/share/man/man1/${c.entry}.1.gz`),
          "/usr/share/man/man5/haconn.json.5.gz",
          "/usr/share/man/man8/fence_haconn.8.gz",
        ]),
      );
    for (const path of manPages)
      expect(path).toMatch(/^\/usr\/share\/man\/man[158]\/(haconn[a-z.]*|fence_haconn)\.[158]\.gz$/);
    // Pacemaker's agents are links where Pacemaker looks for them (docs/pacemaker.md).
    const pacemaker = [
      "/usr/sbin/fence_haconn",
      "/usr/lib/ocf/resource.d/haconn",
      "/usr/lib/ocf/resource.d/haconn/monitor",
    ];
    if (mode.has(pacemaker[0]!)) {
      expect(mode.get(pacemaker[0]!)?.[0]).toBe("l");
      expect(mode.get(pacemaker[1]!)?.[0]).toBe("d");
      expect(mode.get(pacemaker[2]!)?.[0]).toBe("l");
    }
    for (const path of mode.keys()) {
      if (
        path !== COMPLETION &&
        path !== SYSCTL &&
        !pacemaker.includes(path) &&
        !path.startsWith("/usr/share/man/")
      )
        expect(path).toMatch(/^\/(opt|etc\/opt|var\/opt)\/hitachi(\/|$)/);
    }
    // Each app's npm dependencies travel inside its bundles: no node_modules in the package.
    expect([...mode.keys()].filter((p) => p.includes("/node_modules"))).toEqual([]);
    expect(mode.get(`${HOME}/doc/THIRD-PARTY-NOTICES.md`)).toBe("-rw-r--r--");
  });

  it("declares the system tools it runs, not Debian's library sonames (rpm -qpR)", () => {
    const requires = qp(["-R"], el9).split("\n");
    for (const dep of ["ipmitool", "iproute", "iputils", "glibc >= 2.28", "libstdc++"]) {
      expect(requires).toContain(dep);
    }
    expect(requires.filter((r) => /\.so|GLIBC_|node\b/.test(r))).toEqual([]);
  });

  it("has scriptlets that link the unit, guard systemctl and act on erase only (rpm -qp --scripts)", () => {
    const scripts = qp(["--scripts"], el9);
    expect(scripts).toContain(`ln -sf ${UNIT} "$unit"`);
    expect(scripts).toMatch(/\[ "\$1" -eq 0 \] && \[ -L \/etc\/systemd\/system\/haconnd\.service \]/);
    const calls = scripts.split("\n").filter((l) => /^\s*(if )?systemctl /.test(l));
    expect(calls.length).toBe(4); // is-active (%pre), daemon-reload (%post, %postun), disable (%preun)
    for (const call of calls) {
      expect(call).toMatch(
        /systemctl (daemon-reload|--no-reload disable --now haconnd\.service|is-active --quiet haconnd\.service)/,
      );
    }
    const guards = scripts.match(/\[ -d \/run\/systemd\/system \] && command -v systemctl/g) ?? [];
    expect(guards.length).toBe(4); // %pre, %post, %preun, %postun
    expect(scripts).not.toMatch(/systemctl (enable|start|restart)/);
  });

  it("holds every command of the manual", (ctx) => {
    if (missing.length) ctx.skip(`app bundles not built yet: ${missing.map((c) => c.name).join(", ")}`);
    const files = qp(["-l"], el9);
    for (const c of COMMANDS) expect(files).toContain(`${HOME}/bin/${c.name}\n`);
    expect(files).toContain(`${HOME}/bin/haconnndump\n`);
    // Pacemaker's places (docs/pacemaker.md): links to the launchers.
    expect(files).toContain("/usr/sbin/fence_haconn\n");
    expect(files).toContain("/usr/lib/ocf/resource.d/haconn/monitor\n");
  });

  it("runs fence_haconn and ocf:haconn:monitor through their links from a scratch root", (ctx) => {
    if (missing.length) ctx.skip("app bundles not built yet");
    const root = createScratchRoot(work, OS_RELEASE.el9);
    roots.push(root);
    expect(root.rpm(["--nodeps", "-ivh", el9]).status).toBe(0);
    const meta = runOk(join(root.dir, "usr/sbin/fence_haconn"), ["-o", "metadata"]).stdout;
    expect(meta).toContain('<resource-agent name="fence_haconn"');
    const ocf = runOk(join(root.dir, "usr/lib/ocf/resource.d/haconn/monitor"), ["meta-data"]).stdout;
    expect(ocf).toContain('<resource-agent name="monitor"');
  });

  describe("in a scratch root", () => {
    let root: ScratchRoot;
    const configFile = `${CONFIG_DIR}/haconn.json`;
    const configText = '{"written":"by haconnsetup","password":"kept"}\n';
    const logFile = `${LOG_DIR}/eventlog1`;

    beforeAll(() => {
      root = createScratchRoot(work, OS_RELEASE.el9);
      roots.push(root);
    });

    it("installs with rpm -ivh: scriptlets run, files land where the manual says", () => {
      const r = root.rpm(["--nodeps", "-ivh", el9]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/scriptlet failed|warning: %post/i);
      expect(
        runOk("rpm", ["--root", root.dir, "--dbpath", "/var/lib/rpm", "-q", "haconnr2"]).stdout.trim(),
      ).toBe(`haconnr2-${version}-1.el9v.x86_64`);
      expect(readlinkSync(root.path(UNIT_LINK))).toBe(UNIT);
      expect(statSync(root.path(UNIT)).isFile()).toBe(true);
      expect(readFileSync(root.path(`${HOME}/etc/version`), "utf8")).toBe(`${displayed("el9", 1)}\n`);
      expect(statSync(root.path(CONFIG_DIR)).mode & 0o777).toBe(0o700);
      expect(statSync(root.path(LOG_DIR)).isDirectory()).toBe(true);
      for (const c of present) expect(statSync(root.path(`${HOME}/bin/${c.name}`)).mode & 0o111).toBe(0o111);
    });

    it("runs the bundled Node; every bundle imports only Node's built-ins", () => {
      root.addLibrariesOf(root.path(`${HOME}/lib/node`));
      const v = root.chroot([`${HOME}/lib/node`, "--version"]);
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout.trim()).toMatch(/^v24\./);
      const bundles = present.map((c) => ({ app: c.app, entry: c.entry }));
      if (present.some((c) => c.app === "haconnd")) bundles.push({ app: "haconnd", entry: "esxi-worker" });
      for (const c of bundles) {
        const bundle = root.path(`${HOME}/lib/app/${c.app}/${c.entry}.js`);
        expect(npmImports(bundle), c.entry).toEqual([]);
        // CommonJS requires inside the bundle: built-ins, and ssh2's optional native add-ons
        // that it loads in a try/catch (never built, never shipped).
        const required = [...readFileSync(bundle, "utf8").matchAll(/__require\("([^"]+)"\)/g)].map(
          (m) => m[1]!,
        );
        const foreign = required.filter(
          (s) =>
            !builtinModules.includes(s.replace(/^node:/, "")) && s !== "cpu-features" && !s.endsWith(".node"),
        );
        expect(foreign, c.entry).toEqual([]);
      }
    });

    it("carries exactly the npm packages of pnpm-lock.yaml, each with its license (THIRD-PARTY-NOTICES.md)", () => {
      const notices = readFileSync(root.path(`${HOME}/doc/THIRD-PARTY-NOTICES.md`), "utf8");
      const listed = [...notices.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
      const lock = readFileSync(join(REPO, "pnpm-lock.yaml"), "utf8");
      for (const app of new Set(present.map((c) => c.app))) {
        const pkg = JSON.parse(readFileSync(join(REPO, "apps", app, "package.json"), "utf8"));
        for (const [dep, range] of Object.entries<string>(pkg.dependencies ?? {})) {
          if (range.startsWith("workspace:")) continue;
          // the app's direct dependency is bundled at the version the lockfile pins for it
          expect(listed, `${app}: ${dep}`).toContain(`${dep}@${range}`);
        }
      }
      for (const id of listed) {
        const at = id.lastIndexOf("@");
        const [name, v] = [id.slice(0, at), id.slice(at + 1)];
        expect(lock, id).toMatch(
          new RegExp(`^  '?${name.replace(/[/.]/g, "\\$&")}@${v.replaceAll(".", "\\.")}'?:`, "m"),
        );
      }
      expect(notices).toMatch(/## ssh2@[\d.]+\n\nLicense: MIT/);
    });

    it("haconnshow version prints the OS kind and version with the bundled runtime", (ctx) => {
      if (!hasCli) ctx.skip("apps/cli/dist/haconnshow.js is not built yet");
      const r = root.chroot([`${HOME}/bin/haconnshow`, "version"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout, STAMP_HINT).toBe(versionDisplay(displayed("el9", 1)));
    });

    it("installs a man page for every command and the configuration file; man -l renders each", (ctx) => {
      if (!hasCli) ctx.skip("apps/cli/dist is not built yet: no man pages");
      const pages = [
        ...present.filter((c) => c.app === "cli").map((c) => `man1/${c.entry}.1.gz`),
        "man5/haconn.json.5.gz",
        ...(hasDaemon ? ["man8/haconnd.8.gz"] : []),
        "man8/fence_haconn.8.gz",
      ];
      for (const page of pages) {
        const r = run("man", ["-l", "--warnings", root.path(`/usr/share/man/${page}`)], {
          env: { ...process.env, MANPAGER: "cat", PAGER: "cat", MANWIDTH: "80" },
        });
        expect(r.status, `${page}: ${r.stderr}`).toBe(0);
        expect(r.stderr, page).toBe("");
        expect(r.stdout, page).toMatch(/^(NAME|HACONN)/m);
        expect(r.stdout, page).toMatch(/EXIT STATUS|FIELDS/);
      }
    });

    it("--version of every command prints the RPM version-release and the git commit", (ctx) => {
      if (!hasCli) ctx.skip("apps/cli/dist is not built yet");
      for (const c of [...present, { name: "fence_haconn" }]) {
        const r = root.chroot([`${HOME}/bin/${c.name}`, "--version"]);
        expect(r.status, `${c.name}: ${r.stderr}`).toBe(0);
        const shown = c.name === "haconnr2" ? "haconnd" : c.name;
        expect(r.stdout).toMatch(
          new RegExp(
            `^${shown} \\(haconn\\) ${version.replaceAll(".", "\\.")}-1\\.el9v commit [0-9a-f]{7,}\\n$`,
          ),
        );
      }
    });

    it("installs the bash completion as /etc/bash_completion.d/haconn, and it loads", () => {
      const installed = readFileSync(root.path(COMPLETION), "utf8");
      expect(installed).toBe(readFileSync(join(REPO, "tools/completion/haconn.bash"), "utf8"));
      // Every command of the CLI, haconnclient included, has its completion.
      const names = COMMANDS.filter((c) => c.app === "cli").map((c) => c.name);
      expect(names).toContain("haconnclient");
      const r = run("bash", [
        "-c",
        'source "$1" && shift && complete -p "$@"',
        "bash",
        root.path(COMPLETION),
        ...names,
      ]);
      expect(r.status, r.stderr).toBe(0);
      for (const n of names) expect(r.stdout).toMatch(new RegExp(`^complete -F _haconn_complete ${n}$`, "m"));
    });

    it("runs the installed haconnr2 with the bundled runtime until ready, and stops on SIGTERM", async (ctx) => {
      if (!hasDaemon || !hasCli) ctx.skip("the daemon or the CLI bundles are not built yet");
      const port = await freeUdpPort();
      const env = [
        "HACONN_ETC_DIR=/etc/opt/hitachi/haconn2",
        "HACONN_LOG_DIR=/var/opt/hitachi/haconn2/log",
        "HACONN_RUN_DIR=/run/haconn2",
        "HACONN_NODE_NAME=HACON1",
        "HACONN_KDUMP_PORT=off",
      ].map((e) => `export ${e};`);
      const setup = root.chroot([
        "/bin/sh",
        "-c",
        `${env.join(" ")} exec ${HOME}/bin/haconnsetup resetpath addr=127.0.0.1/8 port=${port}`,
      ]);
      expect(setup.status, setup.stderr).toBe(0);
      const daemon = await runUntilReady(root, [
        "/bin/sh",
        "-c",
        `${env.join(" ")} exec ${HOME}/bin/haconnr2`,
      ]);
      try {
        expect(daemon.ready).toMatch(
          new RegExp(`haconnd ready: node HACON1 role active reset path 127\\.0\\.0\\.1:${port}`),
        );
        // It runs on the bundled Node from the package, inside the root.
        const cmdline = readFileSync(`/proc/${daemon.pid}/cmdline`, "utf8");
        expect(cmdline).toContain(`${HOME}/lib/node`);
        // With the launcher's V8 flags for the daemon (issue 19; launcher.test.ts).
        expect(cmdline.split("\0")).toContain("--max-semi-space-size=2");
        expect(statSync(root.path("run/haconn2/haconnd.sock")).mode & 0o777).toBe(0o600);
        expect(statSync(root.path("run/haconn2")).mode & 0o777).toBe(0o700);
        // It serves its control socket (and has its signal handlers by then: the ready line is
        // printed just before they are installed).
        const state = (await controlRequest(root.path("run/haconn2/haconnd.sock"), "dumpState")) as {
          node: string;
          role: string;
        };
        expect(state).toMatchObject({ node: "HACON1", role: "active" });
      } finally {
        const code = await daemon.stop();
        expect(code, daemon.output()).toBe(0);
      }
      expect(existsSync(root.path("run/haconn2/haconnd.sock"))).toBe(false);
    }, 60_000);

    it("passes systemd-analyze verify with the unit's programs taken from the installed tree", (ctx) => {
      if (!which("systemd-analyze")) ctx.skip("systemd-analyze is not installed (Debian package systemd)");
      if (!hasDaemon)
        ctx.skip("apps/haconnd/dist/haconnd.js is not built yet, so bin/haconnr2 is not packaged");
      // verify checks that ExecStart*= programs exist and are executable on this machine;
      // they are in the scratch root, so check a copy whose /opt/hitachi paths point there.
      const dir = mkdtempSync(join(work, "verify-"));
      const unit = readFileSync(root.path(UNIT), "utf8").replaceAll(`${HOME}/`, `${root.path(HOME)}/`);
      writeFileSync(join(dir, "haconnd.service"), unit);
      const r = run("systemd-analyze", ["verify", join(dir, "haconnd.service")], { cwd: dir });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });

    it("reinstalls with rpm -ivh --replacepkgs and keeps the configuration and logs", () => {
      writeFileSync(root.path(configFile), configText, { mode: 0o600 });
      writeFileSync(root.path(logFile), "log line\n");
      const r = root.rpm(["--nodeps", "-ivh", "--replacepkgs", el9]);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(root.path(configFile), "utf8")).toBe(configText);
      expect(readFileSync(root.path(logFile), "utf8")).toBe("log line\n");
      expect(readlinkSync(root.path(UNIT_LINK))).toBe(UNIT);
    });

    it("upgrades with rpm -Uvh and keeps a modified configuration", () => {
      const modified = '{"written":"by haconnsetup","changed":true}\n';
      writeFileSync(root.path(configFile), modified, { mode: 0o600 });
      const r = root.rpm(["--nodeps", "-Uvh", el9next]);
      expect(r.status, r.stderr).toBe(0);
      expect(readFileSync(root.path(configFile), "utf8")).toBe(modified);
      expect(statSync(root.path(configFile)).mode & 0o777).toBe(0o600);
      expect(readFileSync(root.path(`${HOME}/etc/version`), "utf8")).toBe(`${displayed("el9", 2)}\n`);
      expect(readlinkSync(root.path(UNIT_LINK))).toBe(UNIT); // old %postun saw $1 = 1
      const q = root.rpm(["-q", "haconnr2"]);
      expect(q.stdout.trim()).toBe(`haconnr2-${version}-2.el9v.x86_64`);
    });

    it("refuses to install the older build over the newer one (manual §8.2)", () => {
      const r = root.rpm(["--nodeps", "-Uvh", el9]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/newer|already installed/);
      expect(readFileSync(root.path(`${HOME}/etc/version`), "utf8")).toBe(`${displayed("el9", 2)}\n`);
    });

    it("uninstalls with rpm -e: binaries and unit link gone, configuration and logs kept", () => {
      const keep = readFileSync(root.path(configFile), "utf8");
      const r = root.rpm(["--nodeps", "-e", "haconnr2"]);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(root.path(`${HOME}/bin`))).toBe(false);
      expect(existsSync(root.path(`${HOME}/lib`))).toBe(false);
      expect(existsSync(root.path(HOME))).toBe(false);
      expect(() => lstatSync(root.path(UNIT_LINK))).toThrow();
      expect(readFileSync(root.path(configFile), "utf8")).toBe(keep);
      expect(readFileSync(root.path(logFile), "utf8")).toBe("log line\n");
      expect(root.rpm(["-q", "haconnr2"]).status).not.toBe(0);
    });
  });

  it("installs the el8 build with OS kind 4", (ctx) => {
    const root = createScratchRoot(work, OS_RELEASE.el8);
    roots.push(root);
    const r = root.rpm(["--nodeps", "-ivh", el8]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(root.path(`${HOME}/etc/version`), "utf8")).toBe(`${displayed("el8", 1)}\n`);
    if (!hasCli) ctx.skip("apps/cli/dist/haconnshow.js is not built yet; version file checked only");
    root.addLibrariesOf(root.path(`${HOME}/lib/node`));
    const v = root.chroot([`${HOME}/bin/haconnshow`, "version"]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout, STAMP_HINT).toBe(versionDisplay(displayed("el8", 1)));
  });
});
