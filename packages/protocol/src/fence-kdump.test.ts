// The real fence_kdump_send (Debian fence-agents) against a receiver built on the codec.
import { spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { decodeFenceKdump, encodeFenceKdump } from "./fence-kdump.js";
import { decodeResetPath } from "./reset-path/messages.js";

const SENDER = ["/usr/libexec/fence-agents/fence_kdump_send", "/usr/sbin/fence_kdump_send"].find(existsSync);
let socket: Socket | undefined;

afterEach(() => {
  socket?.close();
  socket = undefined;
});

describe("fence_kdump", () => {
  it.skipIf(!SENDER)("a notice sent by fence_kdump_send decodes as a dump notice", async () => {
    const s = createSocket("udp4");
    socket = s;
    await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
    const port = s.address().port;
    const received = new Promise<{ bytes: Buffer; from: string }>((resolve) =>
      s.once("message", (bytes, rinfo) => resolve({ bytes, from: rinfo.address })),
    );
    const child = spawn(SENDER!, ["-p", String(port), "-c", "1", "-i", "1", "127.0.0.1"], {
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const [{ bytes, from }, code] = await Promise.all([
      received,
      new Promise<number | null>((resolve) => child.on("exit", resolve)),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(from).toBe("127.0.0.1");
    expect(bytes.toString("hex")).toBe("402a301b01000000");
    expect(decodeFenceKdump(bytes)).toEqual({ ok: true, value: { byteOrder: "little-endian", version: 1 } });
    expect(Buffer.from(encodeFenceKdump())).toEqual(bytes);
    // and it is never mistaken for a haconn frame:
    expect(decodeResetPath(bytes, { now: 0 })).toMatchObject({ ok: false, reason: "short" });
  });

  it("drops other versions, sizes and magics", () => {
    expect(decodeFenceKdump(Buffer.from("402a301b02000000", "hex"))).toMatchObject({
      reason: "unsupported-version",
    });
    expect(decodeFenceKdump(Buffer.from("402a301b010000", "hex"))).toMatchObject({ reason: "short" });
    expect(decodeFenceKdump(Buffer.from("402a301b0100000000", "hex"))).toMatchObject({
      reason: "trailing-bytes",
    });
    expect(decodeFenceKdump(Buffer.from("4843010101000000", "hex"))).toMatchObject({ reason: "bad-magic" });
  });
});
