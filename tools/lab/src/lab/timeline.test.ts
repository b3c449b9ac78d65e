import { describe, expect, it } from "vitest";
import { formatTimeline, Timeline } from "./timeline.js";

describe("drill timeline", () => {
  it("orders events by time and prints time since start and since the previous line", () => {
    const t = new Timeline();
    t.add(1000 + 250.4, "NMI", "BMC PSERVER3", "nmi carried out");
    t.add(1000, "request", "hamon 10004", "RESET PSERVER3 sent");
    t.add(1000 + 1300, "result", "hamon 10004", "RESET-RESULT DUMP");
    t.add(undefined, "ATTENTION", "hamon 10004", "never came");
    const lines = formatTimeline(t);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\s+0\s+0\s+request\s+hamon 10004\s+RESET PSERVER3 sent$/);
    expect(lines[2]).toMatch(/^\s+250\s+250\s+NMI\s+BMC PSERVER3/);
    expect(lines[3]).toMatch(/^\s+1300\s+1050\s+result/);
    expect(t.span("request", "result")).toBe(1300);
    expect(t.span("request", "ATTENTION")).toBeUndefined();
  });
});
