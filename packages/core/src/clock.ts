// Every timer of the engine's executor comes from a Clock; tests use SimulatedClock
// ("./test") and advance it instead of sleeping.

export type TimerHandle = unknown;

export interface Clock {
  /** Epoch milliseconds; fractional part carries sub-millisecond precision (reset-log µs). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: epoch time with microsecond resolution from the monotonic timer. */
export function systemClock(): Clock {
  const origin = performance.timeOrigin;
  return {
    now: () => origin + performance.now(),
    setTimeout: (callback, ms) => {
      const handle = setTimeout(callback, Math.max(0, ms));
      handle.unref?.();
      return handle;
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}
