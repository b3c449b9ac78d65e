import { connect } from "node:net";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HaconnError } from "@haconn/config";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { controlCall } from "./client.js";
import { ControlServer } from "./server.js";

let dir: string;
let server: ControlServer;
let path: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "haconn-ctl-"));
  path = join(dir, "run", "haconnd.sock");
  server = new ControlServer({
    path,
    ops: {
      echo: { handle: (args) => ({ echoed: args }) },
      strict: {
        validate: (args) => (typeof args.name === "string" ? undefined : "name= is required"),
        handle: (args) => `hello ${String(args.name)}`,
      },
      fails: {
        handle: () => {
          throw new HaconnError("NOT_ACTIVE", "this node is standby");
        },
      },
      crashes: {
        handle: () => {
          throw new Error("boom");
        },
      },
    },
  });
  await server.listen();
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function raw(payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let out = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      out += d;
      if (out.endsWith("\n")) {
        s.destroy();
        resolve(out);
      }
    });
    s.on("error", reject);
    s.write(payload);
  });
}

describe("control socket", () => {
  it("is a 0600 socket in a 0700 directory", () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "run")).mode & 0o777).toBe(0o700);
  });

  it("runs an op and returns its result", async () => {
    await expect(controlCall(path, "echo", { a: 1 })).resolves.toEqual({ echoed: { a: 1 } });
  });

  it("validates args and reports typed errors without crashing", async () => {
    await expect(controlCall(path, "strict", {})).rejects.toMatchObject({ code: "CONTROL_BAD_ARGS" });
    await expect(controlCall(path, "strict", { name: "x" })).resolves.toBe("hello x");
    await expect(controlCall(path, "fails")).rejects.toMatchObject({ code: "NOT_ACTIVE" });
    await expect(controlCall(path, "crashes")).rejects.toMatchObject({ code: "INTERNAL" });
    await expect(controlCall(path, "nope")).rejects.toMatchObject({ code: "CONTROL_UNKNOWN_OP" });
    await expect(controlCall(path, "__proto__")).rejects.toMatchObject({ code: "CONTROL_BAD_REQUEST" });
  });

  it("answers malformed lines with an error and keeps serving", async () => {
    expect(JSON.parse(await raw("not json\n"))).toMatchObject({
      ok: false,
      error: { code: "CONTROL_BAD_JSON" },
    });
    expect(JSON.parse(await raw('{"v":9,"id":1,"op":"echo"}\n'))).toMatchObject({
      error: { code: "CONTROL_VERSION" },
    });
    expect(JSON.parse(await raw('{"v":1,"id":-1,"op":"echo"}\n'))).toMatchObject({
      error: { code: "CONTROL_BAD_REQUEST" },
    });
    await expect(controlCall(path, "echo", {})).resolves.toEqual({ echoed: {} });
  });

  it("says NOT_RUNNING when nothing listens", async () => {
    await expect(controlCall(join(dir, "absent.sock"), "echo")).rejects.toMatchObject({
      code: "NOT_RUNNING",
    });
  });
});
