import { describe, expect, it } from "vitest";
import { afterReadyIo, readyIoWaiting } from "./ready-io-turns.js";

describe("afterReadyIo", () => {
  it("releases one waiter per loop turn, in order, each after the I/O and timers of that turn", async () => {
    const order: string[] = [];
    const all = Array.from({ length: 4 }, (_, i) =>
      afterReadyIo().then(() => {
        order.push(`cmd${i}`);
        // A timer that falls due while this command works runs before the next command starts:
        // the loop's timers phase comes between two of them.
        setTimeout(() => order.push(`timer after cmd${i}`), 1);
        const until = performance.now() + 3;
        while (performance.now() < until);
      }),
    );
    expect(readyIoWaiting()).toBe(4);
    order.push("sync");
    await Promise.all(all);
    await new Promise((r) => setTimeout(r, 5));
    expect(order[0]).toBe("sync");
    // Each command is followed by the timer it set before the next command starts.
    expect(order.slice(1)).toEqual([
      "cmd0",
      "timer after cmd0",
      "cmd1",
      "timer after cmd1",
      "cmd2",
      "timer after cmd2",
      "cmd3",
      "timer after cmd3",
    ]);
    expect(readyIoWaiting()).toBe(0);
  });
});
