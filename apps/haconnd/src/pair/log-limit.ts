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
