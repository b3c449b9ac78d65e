// fast-check arbitraries of valid messages (used by this package's property tests).
import fc from "fast-check";
import { MAX_U32, MAX_U53 } from "../constants.js";
import type { DuplexMessage } from "../duplex/messages.js";
import type { Payload } from "../duplex/payload.js";
import type { Header, SenderKind } from "../frame.js";
import type { ResetPathMessage } from "../reset-path/messages.js";

const u16 = (min = 0) => fc.integer({ min, max: 0xffff });
const u32 = (min = 0) => fc.integer({ min, max: MAX_U32 });
const u53 = (min = 0) => fc.integer({ min, max: MAX_U53 });
const name = (min = 1) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},31}$`));
const bool = fc.boolean();
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));

export function headerArb(sender: SenderKind): fc.Arbitrary<Header> {
  const senderId =
    sender === "subsystem"
      ? u32(1)
      : sender === "connector"
        ? fc.constant(0)
        : sender === "node"
          ? fc.constantFrom(1, 2)
          : u32();
  return fc.record({ requestId: u32(), senderId, timestampMs: u53(), attempt: u16() });
}

const kindAndVm = fc.oneof(
  fc.record({ kind: fc.constant("physical" as const), vm: fc.constant("") }),
  fc.record({ kind: fc.constant("guest" as const), vm: name() }),
);

const msg = <T extends string, B>(type: T, sender: SenderKind, body: fc.Arbitrary<B>) =>
  fc.record({ type: fc.constant(type), header: headerArb(sender), body });

export const resetPathMessageArb: fc.Arbitrary<ResetPathMessage> = fc.oneof(
  msg(
    "check",
    "subsystem",
    fc
      .record({
        replyPort: u16(1),
        kv: kindAndVm,
        intervalSec: fc.integer({ min: 1, max: 3600 }),
        pairSubsystem: u32(),
        systemName: name(),
      })
      .map(({ kv, ...b }) => ({ ...b, kind: kv.kind, vmName: kv.vm })),
  ),
  msg(
    "check-reply",
    "connector",
    fc.record({
      blockers: fc.record({ unknownSystem: bool, bmcLink: bool, pduLink: bool, esxiLink: bool }),
      redundancy: fc.record({
        standbyNotSynchronised: bool,
        standbyAbnormal: bool,
        managementServerNotResettable: bool,
      }),
      role: fc.constantFrom("undecided", "active", "standby"),
      status: fc.constantFrom("unset", "normal", "reset", "dump", "poff", "error"),
      pairSubsystem: u32(),
      responder: name(),
    }),
  ),
  msg(
    "reset",
    "subsystem",
    // fence (header flags bit 1) is present only when set: decode gives `true` or nothing.
    fc.record(
      { targetSubsystem: u32(1), clusterPort: u16(1), targetSystemName: name(), fence: fc.constant(true) },
      { requiredKeys: ["targetSubsystem", "clusterPort", "targetSystemName"] },
    ),
  ),
  msg(
    "reset-accepted",
    "connector",
    fc.record({
      targetSubsystem: u32(1),
      phase: fc.constantFrom("queued", "softReset", "hardReset", "pduCut"),
    }),
  ),
  msg(
    "reset-result",
    "connector",
    fc
      .constantFrom(
        ["DUMP", "none"],
        ["POFF", "none"],
        ["FAIL", "resetFailed"],
        ["FAIL", "requesterBeingReset"],
        ["FAIL", "notActive"],
        ["ERROR", "invalidRequester"],
        ["ERROR", "requesterResetComplete"],
        ["ERROR", "unknownTarget"],
      )
      .chain(([result, detail]) =>
        fc.record({ targetSubsystem: u32(1), result: fc.constant(result), detail: fc.constant(detail) }),
      ),
  ),
  msg("result-ack", "subsystem", fc.record({ targetSubsystem: u32(1) })),
  msg("dump-notice", "subsystem", fc.record({ clusterPort: u16(), systemName: name(0) })),
  msg(
    "dump-ack",
    "connector",
    fc.record({ subsystem: u32(1), status: fc.constantFrom("accepted", "recorded", "unknownSystem") }),
  ),
  msg(
    "attention",
    "connector",
    fc
      .record({
        eventId: u53(1),
        state: fc.constantFrom("DUMP", "REBOOT", "POFF"),
        kv: kindAndVm,
        targetSubsystem: u32(1),
        clusterPort: u16(1),
        targetSystemName: name(),
      })
      .map(({ kv, ...b }) => ({ ...b, kind: kv.kind, targetVmName: kv.vm })),
  ),
  msg("attention-ack", "subsystem", fc.record({ eventId: u53(1) })),
  msg(
    "unsupported-version",
    "connector",
    fc
      .tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 255 }))
      .map(([a, b]) => ({ minVersion: Math.min(a, b), maxVersion: Math.max(a, b) })),
  ),
) as fc.Arbitrary<ResetPathMessage>;

/** JSON values that survive JSON.stringify/parse unchanged (no -0, no undefined). */
const jsonArb = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)));

export const payloadArb: fc.Arbitrary<Payload> = fc.oneof(
  fc.record({ encoding: fc.constant("json" as const), schema: u16(1), data: jsonArb }),
  fc.record({
    encoding: fc.constant("octets" as const),
    schema: u16(1),
    data: fc.uint8Array({ maxLength: 300 }),
  }),
);

const role = fc.constantFrom("undecided", "active", "standby");
const command = fc.constantFrom(
  "restartStandby",
  "shutdown",
  "copyConfig",
  "reload",
  "pduCutTest",
  "collectLogs",
);

export const duplexMessageArb: fc.Arbitrary<DuplexMessage> = fc.oneof(
  msg(
    "heartbeat",
    "node",
    fc.record({
      role,
      flags: fc.record({ holdsVip: bool, synchronised: bool, leaving: bool, fencing: bool }),
      intervalMs: fc.integer({ min: 10, max: 10_000 }),
      term: u53(),
      stateVersion: u53(),
      configDigest: hex32,
      nodeName: name(),
    }),
  ),
  msg(
    "hello",
    "node",
    fc.record({ role, term: u53(), stateVersion: u53(), configDigest: hex32, nodeName: name() }),
  ),
  msg("snapshot", "node", fc.record({ term: u53(), stateVersion: u53(), state: payloadArb })),
  msg(
    "delta",
    "node",
    fc
      .record({
        term: u53(),
        baseVersion: fc.integer({ min: 0, max: MAX_U53 - 1 }),
        step: fc.integer({ min: 1, max: 5 }),
        change: payloadArb,
      })
      .map(({ step, ...b }) => ({ ...b, stateVersion: Math.min(MAX_U53, b.baseVersion + step) })),
  ),
  msg("sync-ack", "node", fc.record({ term: u53(), stateVersion: u53() })),
  msg("command", "node", fc.record({ command, args: payloadArb })),
  msg(
    "command-result",
    "node",
    fc.record({
      command,
      status: fc.constantFrom("accepted", "partial", "done", "failed", "rejected"),
      chunk: u32(),
      data: payloadArb,
    }),
  ),
) as fc.Arbitrary<DuplexMessage>;
