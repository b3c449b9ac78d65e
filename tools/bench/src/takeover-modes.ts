// The failures the takeover bench inflicts on the active node (haconn's active haconnd,
// keepalived's MASTER), each measured the same way for both products:
//  - kill9: the process dies at once (for haconn the duplex TCP stream closes: the standby knows
//    at once);
//  - freeze: SIGSTOP of the process (keepalived: its VRRP child): no close, no goodbye, the
//    address stays; only the missing heartbeats/adverts tell;
//  - cut: the duplex LAN is cut in its switch (both ports off the bridge), both nodes alive and
//    carrier up on both: haconn's heartbeats and keepalived's unicast adverts stop both ways.
// Every window of observation ends WINDOW_AFTER_ANSWER_MS after the first answer from the new
// active: the two-holder figures count moments inside it.

export const MODES = ["kill9", "freeze", "cut"] as const;
export type FailureMode = (typeof MODES)[number];

export const WINDOW_AFTER_ANSWER_MS = 1000;

export const MODE_TEXT: Record<FailureMode, string> = {
  kill9: "kill -9 of the active",
  freeze: "frozen active (SIGSTOP)",
  cut: "duplex link cut",
};

/** Parses `--modes kill9,freeze,cut` (default: all). */
export function modesArg(argv: readonly string[] = process.argv): FailureMode[] {
  const i = argv.indexOf("--modes");
  if (i < 0) return [...MODES];
  const want = (argv[i + 1] ?? "").split(",").filter(Boolean);
  const bad = want.filter((m) => !(MODES as readonly string[]).includes(m));
  if (bad.length || want.length === 0)
    throw new Error(`--modes takes ${MODES.join(",")}, not ${argv[i + 1]}`);
  return want as FailureMode[];
}
