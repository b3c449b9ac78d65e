// A bounded wait for messages of one exchange: messages are queued from the moment the exchange
// subscribes (none is lost between a send and the wait), and take() waits at most timeoutMs.
import type { Clock } from "./clock.js";
import { ClientError } from "./errors.js";

export class Mailbox<T> {
  private readonly queue: T[] = [];
  private waiter: ((v: T | undefined) => void) | undefined;
  private rejectWaiter: ((e: ClientError) => void) | undefined;
  private failure: ClientError | undefined;

  constructor(private readonly clock: Clock) {}

  put(value: T): void {
    if (this.waiter) this.waiter(value);
    else this.queue.push(value);
  }

  /** Every later take() rejects with `error`; a pending one at once. */
  fail(error: ClientError): void {
    this.failure ??= error;
    this.rejectWaiter?.(error);
  }

  /** The next message, or undefined when none came within `timeoutMs` (≤ 0: only a queued one). */
  take(timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(aborted());
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (timeoutMs <= 0) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      const onAbort = () => done(() => reject(aborted()));
      const timer = this.clock.setTimeout(() => done(() => resolve(undefined)), timeoutMs);
      const done = (finish: () => void) => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiter = undefined;
        this.rejectWaiter = undefined;
        finish();
      };
      this.waiter = (v) => done(() => resolve(v));
      this.rejectWaiter = (e) => done(() => reject(e));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function aborted(): ClientError {
  return new ClientError("CLIENT_ABORTED", "aborted by the caller");
}
