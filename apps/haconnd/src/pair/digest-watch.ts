// Compares this node's configuration digest with the peer's (from its heartbeats). Warns once
// per pair of digests that stays different for the grace (either side may change: a reload, a
// copy, a restart with another file), and says when they match again.

export const CONFIG_MISMATCH_GRACE_MS = 2000;

export class DigestWatch {
  private mismatch: { key: string; since: number; logged: boolean } | undefined;
  private warned = false;

  constructor(
    private readonly log: (level: "info" | "warn", message: string) => void,
    private readonly graceMs = CONFIG_MISMATCH_GRACE_MS,
  ) {}

  /** The two nodes run different configurations (for longer than the grace). */
  get mismatched(): boolean {
    return this.warned;
  }

  compare(own: string, peerName: string, peerDigest: string, now: number): void {
    if (peerDigest === own) {
      if (this.warned) this.log("info", `configuration matches ${peerName}'s again`);
      this.mismatch = undefined;
      this.warned = false;
      return;
    }
    const key = `${own}/${peerDigest}`;
    if (this.mismatch?.key !== key) this.mismatch = { key, since: now, logged: false };
    if (!this.mismatch.logged && now - this.mismatch.since >= this.graceMs) {
      this.mismatch.logged = true;
      this.warned = true;
      this.log(
        "warn",
        `configuration differs from ${peerName}'s (digest ${peerDigest.slice(0, 12)}…, here ${own.slice(0, 12)}…): run haconnact copy`,
      );
    }
  }
}
