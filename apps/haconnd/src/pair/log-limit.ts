// At most one log line per reason per period (default a minute); the lines held back are counted
// and reported with the next one. Keys are a small fixed set (drop reasons), so the map is bounded.

export class LogLimit {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly now: () => number,
    private readonly periodMs = 60_000,
  ) {}

  /** undefined: hold this line back; otherwise how many lines of this key were held back before it. */
  take(key: string): number | undefined {
    const now = this.now();
    const e = this.last.get(key);
    if (e && now - e.at < this.periodMs) {
      e.held += 1;
      return undefined;
    }
    const held = e?.held ?? 0;
    this.last.set(key, { at: now, held: 0 });
    return held;
  }
}

/**
 * The duplex link's refusal logger: at most one line per reason a minute, with the count of the
 * lines held back; a peer of another protocol version is named as such.
 */
export function duplexDropLog(
  now: () => number,
  log: (level: "warn" | "error", message: string) => void,
): (reason: string, detail: string) => void {
  const limit = new LogLimit(now);
  return (reason, detail) => {
    const held = limit.take(reason);
    if (held === undefined) return;
    const more = held > 0 ? ` (${held} more since the last line)` : "";
    if (reason.endsWith("unsupported-version")) {
      log(
        "error",
        `duplex peer refused: it speaks duplex protocol ${detail}, this node speaks version 2; both nodes of a pair must run the same haconn version${more}`,
      );
      return;
    }
    const what = reason.startsWith("stream") ? "connection" : "datagram";
    log("warn", `duplex ${what} dropped: ${reason} (${detail})${more}`);
  };
}
