// Ids remembered for a while, with a fixed bound: ATTENTION event ids (monitors deduplicate by
// eventId for at least 10 minutes, docs/protocol.md §6) and the request ids of our own RESETs
// (whose RESET-RESULT copies we acknowledge). A full table forgets its oldest entry first.
import { DEDUP_RETENTION_MS } from "@haconn/protocol";

export class RecentIds {
  private readonly until = new Map<number, number>();

  constructor(
    private readonly retentionMs = DEDUP_RETENTION_MS,
    private readonly capacity = 4096,
  ) {}

  get size(): number {
    return this.until.size;
  }

  has(id: number, now: number): boolean {
    this.purge(now);
    return this.until.has(id);
  }

  /** Remembers `id`; returns true when it was new (not seen within the retention). */
  add(id: number, now: number): boolean {
    this.purge(now);
    const known = this.until.has(id);
    this.until.delete(id);
    if (this.until.size >= this.capacity) {
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
    this.until.set(id, now + this.retentionMs);
    return !known;
  }

  private purge(now: number): void {
    for (const [id, until] of this.until) {
      if (until > now) break;
      this.until.delete(id);
    }
  }
}
