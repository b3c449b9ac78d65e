// Every wait of the client comes from a Clock, so unit tests advance a simulated one
// (@haconn/core/test SimulatedClock has this shape) instead of sleeping.

export type TimerHandle = unknown;

export interface Clock {
  /** Wall clock, ms since the epoch (frame timestamps; the connector checks them within 30 s). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock. Timers are unref'd: an open client alone never keeps a process alive. */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => {
      const handle = setTimeout(callback, Math.max(0, ms));
      handle.unref?.();
      return handle;
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}

/** Resolves after `ms` on `clock`. */
export function clockDelay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
