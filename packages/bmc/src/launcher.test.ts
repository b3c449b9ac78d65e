// The launcher against the real system: util-linux setpriv and ipmitool 1.8.19.
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deathSignalLauncher, lightRegistryHome, REGISTRY_PATH } from "./launcher.js";

const alive = (pid: number) =>
  readFile(`/proc/${pid}/stat`, "utf8").then(
    (s) => s.slice(s.lastIndexOf(")") + 2)[0] !== "Z",
    () => false,
  );

describe("ipmitool launcher", () => {
  let blackHole: Socket;
  beforeAll(async () => {
    blackHole = createSocket("udp4");
    await new Promise<void>((resolve) => blackHole.bind(0, "127.0.0.1", () => resolve()));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it("uses setpriv --pdeathsig where util-linux has it (Debian 12 does)", async () => {
    expect(await deathSignalLauncher()).toEqual(["setpriv", "--pdeathsig", "KILL", "--"]);
  });

  it("an ipmitool shell started through it dies with its parent, even a SIGKILLed one", async () => {
    // A parent process that starts the shell exactly as IpmitoolSession does, then is killed.
    const launcher = await deathSignalLauncher();
    const argv = [...launcher, "ipmitool", "-I", "lanplus", "-H", "127.0.0.1"];
    argv.push(
      "-p",
      String(blackHole.address().port),
      "-U",
      "x",
      "-E",
      "-C",
      "3",
      "-N",
      "5",
      "-R",
      "5",
      "shell",
    );
    const script = `const c = require("node:child_process").spawn(${JSON.stringify(argv[0])}, ${JSON.stringify(argv.slice(1))}, { stdio: "pipe", detached: true, env: { PATH: process.env.PATH, IPMI_PASSWORD: "x-pw-12345" } }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once("data", (d) => resolve(Number(String(d)))),
    );
    await expect
      .poll(async () => (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0")[0])
      .toBe("ipmitool");
    parent.kill("SIGKILL");
    await expect.poll(() => alive(pid), { timeout: 3000 }).toBe(false);
  });

  it("the private HOME holds a one-entry registry that ipmitool accepts", async () => {
    const home = lightRegistryHome();
    expect(home).not.toBeNull();
    expect(lightRegistryHome()).toBe(home); // once per process
    const file = join(home!, ...REGISTRY_PATH);
    expect((await stat(home!)).mode & 0o777).toBe(0o700);
    expect((await stat(home!)).uid).toBe(process.getuid!());
    expect((await readFile(file, "utf8")).split("\n")[0]).toBe("0");
    // ipmitool loads the registry before it opens a session; an unusable one stops it there
    // with "Failed to initialize the OEM info dictionary". Nothing listens on port 1: getting
    // as far as the session attempt proves the registry was accepted (ipmi_sim tests: lab).
    const out = await new Promise<string>((resolve) => {
      const c = spawn(
        "ipmitool",
        [
          "-I",
          "lanplus",
          "-H",
          "127.0.0.1",
          "-p",
          "1",
          "-N",
          "1",
          "-R",
          "1",
          "-E",
          "chassis",
          "power",
          "status",
        ],
        {
          env: { PATH: "/usr/bin:/bin", HOME: home!, IPMI_PASSWORD: "x-pw-12345" },
        },
      );
      let text = "";
      c.stdout.on("data", (d) => (text += d));
      c.stderr.on("data", (d) => (text += d));
      c.once("close", () => resolve(text));
    });
    expect(out).not.toMatch(/OEM info dictionary/);
    expect(out).toMatch(/Unable to establish IPMI v2/);
  });
});
