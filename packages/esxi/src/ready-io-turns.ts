// ssh work waits for the I/O already ready, and starts one command per event-loop turn.
//
// A command's first ssh work (opening a channel, encrypting its packets) costs the main thread
// ~0.3–0.6 ms. Started in the check phase (setImmediate), it goes after the I/O callbacks that
// were ready: a storm's RESET datagrams are all taken, answered and their BMC NMIs written before
// the first guest's channel is encrypted. One command per turn, not all the waiting ones in one
// check phase: between two, the loop runs its due timers (a hardware reset due at NMI + hispeed)
// and the I/O that came meanwhile, so 16 guests' hardware resets falling due together no longer
// hold a physical server's hardware reset for 16 channel openings (issue 19).

const waiting: (() => void)[] = [];
let scheduled = false;

function next(): void {
  scheduled = false;
  waiting.shift()?.();
  if (waiting.length > 0) {
    scheduled = true;
    setImmediate(next);
  }
}

/** Resolves in a check phase of its own: after the ready I/O, one waiter per loop turn. */
export function afterReadyIo(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  });
}

/** Waiters not released yet (tests). */
export function readyIoWaiting(): number {
  return waiting.length;
}
