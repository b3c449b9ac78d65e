import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readSecret } from "./secret-input.js";

function fakeTty() {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[] });
  Object.assign(stdin, { setRawMode: (mode: boolean) => stdin.raw.push(mode) });
  let out = "";
  return { stdin, stdout: { write: (s: string) => (out += s) }, output: () => out };
}

describe("readSecret", () => {
  it("prompts on a terminal, reads in raw mode without echo, handles backspace", async () => {
    const tty = fakeTty();
    const pending = readSecret(tty.stdin, tty.stdout, "password");
    tty.stdin.write("Secrx");
    tty.stdin.write("\u007fet1\r");
    expect(await pending).toBe("Secret1");
    expect(tty.output()).toBe("password :\n");
    expect(tty.stdin.raw).toEqual([true, false]);
  });

  it("Ctrl-C on the terminal cancels", async () => {
    const tty = fakeTty();
    const pending = readSecret(tty.stdin, tty.stdout, "password");
    tty.stdin.write("abc\u0003");
    await expect(pending).rejects.toThrow(/password: input cancelled/);
    expect(tty.stdin.raw).toEqual([true, false]);
  });

  it("reads the first line of a pipe, without a prompt", async () => {
    let out = "";
    const stdout = { write: (s: string) => (out += s) };
    expect(await readSecret(Readable.from(["Pass", "w0rd!\r\nrest\n"]), stdout, "password")).toBe(
      "Passw0rd!",
    );
    expect(await readSecret(Readable.from(["no-newline"]), stdout, "password")).toBe("no-newline");
    await expect(readSecret(Readable.from([]), stdout, "community")).rejects.toThrow(
      /community: standard input is not a terminal/,
    );
    expect(out).toBe("");
  });
});
