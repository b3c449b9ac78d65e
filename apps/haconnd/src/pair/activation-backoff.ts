// A failed becomeActive (e.g. the reset-path port or VIP already bound: EADDRINUSE) must not
// crash the daemon nor leave it half active: the controller steps down (undecided, the reset
// path released) and may try again only after a delay that doubles per consecutive failure
// (1 s, 2 s, 4 s … 60 s). A success clears the count.

export class ActivationBackoff {
  private failures = 0;
  private holdUntil = 0;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 60_000,
  ) {}

  /** Records a failure at `now`; returns the delay before the next attempt. */
  failed(now: number): number {
    const delay = Math.min(this.maxMs, this.firstMs * 2 ** this.failures);
    this.failures += 1;
    this.holdUntil = now + delay;
    return delay;
  }

  succeeded(): void {
    this.failures = 0;
    this.holdUntil = 0;
  }

  /** true while the node must not decide its role again. */
  held(now: number): boolean {
    return now < this.holdUntil;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
