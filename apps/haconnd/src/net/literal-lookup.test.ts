import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { literalLookup } from "./literal-lookup.js";

describe("literalLookup", () => {
  it("answers an IPv4 literal synchronously", () => {
    const got: unknown[] = [];
    literalLookup("127.0.0.1", 4, (error, address, family) => got.push(error, address, family));
    expect(got).toEqual([null, "127.0.0.1", 4]);
  });

  it("resolves a name through dns, asynchronously", async () => {
    const sync: string[] = [];
    const done = new Promise<[unknown, string, number]>((resolve) =>
      literalLookup("localhost", 4, (error, address, family) => {
        sync.push(address);
        resolve([error, address, family]);
      }),
    );
    expect(sync).toEqual([]);
    const [error, address, family] = await done;
    expect(error).toBeNull();
    expect(address).toMatch(/^127\./);
    expect(family).toBe(4);
  });

  it("a dgram socket using it sends to a literal", async () => {
    const rx = createSocket("udp4");
    const tx = createSocket({ type: "udp4", lookup: literalLookup });
    await new Promise<void>((r) => rx.bind(0, "127.0.0.1", r));
    await new Promise<void>((r) => tx.bind(0, "127.0.0.1", r));
    const got = new Promise<Buffer>((r) => rx.once("message", r));
    tx.send(Buffer.from("one"), rx.address().port, "127.0.0.1");
    expect((await got).toString()).toBe("one");
    rx.close();
    tx.close();
  });
});
