// A counting semaphore with deadlines: at most `size` exec channels in use on one connection.
import type { DriverError } from "@haconn/config";

interface Waiter {
  grant(): void;
}

export class Slots {
  readonly size: number;
  #active = 0;
  readonly #waiters: Waiter[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`maxChannels must be ≥ 1: ${size}`);
    this.size = size;
  }

  get active(): number {
    return this.#active;
  }

  acquire(deadline: number, signal: AbortSignal | undefined, onTimeout: () => DriverError): Promise<void> {
    if (this.#active < this.size) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const give = (error: DriverError | undefined): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        if (error) reject(error);
        else resolve();
      };
      const waiter: Waiter = { grant: () => give(undefined) };
      const onAbort = (): void => give(onTimeout());
      const timer = setTimeout(onAbort, Math.max(0, deadline - Date.now()));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Hands the slot to the oldest waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next.grant();
    else this.#active--;
  }
}
