// Sample messages of every type, with fixed timestamps and nonces: the golden fixtures are these
// values encoded (src/fixtures/), and other packages' tests may reuse them.
import { type AuthKey, createAuthKey } from "../auth.js";
import type { DuplexMessage } from "../duplex/messages.js";
import type { Header } from "../frame.js";
import type { ResetPathMessage } from "../reset-path/messages.js";

/** The fixtures' key: id 1, secret bytes 0x00..0x1f. Never use it outside tests. */
export const FIXTURE_KEY: AuthKey = createAuthKey(
  1,
  Uint8Array.from({ length: 32 }, (_, i) => i),
);
/** The fixtures' nonce: 01 02 03 04 05 06 07 08. */
export const FIXTURE_NONCE = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
/** 2025-01-01T00:00:00.000Z */
export const FIXTURE_TIME = 1_735_689_600_000;

export interface Sample<M> {
  name: string;
  /** Signed with FIXTURE_KEY and FIXTURE_NONCE when true. */
  signed: boolean;
  message: M;
}

const h = (requestId: number, senderId: number, attempt = 0, dt = 0): Header => ({
  requestId,
  senderId,
  timestampMs: FIXTURE_TIME + dt,
  attempt,
});

const noBlockers = { unknownSystem: false, bmcLink: false, pduLink: false, esxiLink: false };
const noWarnings = {
  standbyNotSynchronised: false,
  standbyAbnormal: false,
  managementServerNotResettable: false,
};
const DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

export const RESET_PATH_SAMPLES: readonly Sample<ResetPathMessage>[] = [
  {
    name: "rp-check-physical",
    signed: false,
    message: {
      type: "check",
      header: h(1, 10001),
      body: {
        replyPort: 6001,
        kind: "physical",
        intervalSec: 10,
        pairSubsystem: 0,
        systemName: "PSERVER3",
        vmName: "",
      },
    },
  },
  {
    name: "rp-check-guest-signed",
    signed: true,
    message: {
      type: "check",
      header: h(7, 10011),
      body: {
        replyPort: 6002,
        kind: "guest",
        intervalSec: 5,
        pairSubsystem: 10021,
        systemName: "PSERVER1",
        vmName: "v_system01",
      },
    },
  },
  {
    name: "rp-check-reply-resettable",
    signed: false,
    message: {
      type: "check-reply",
      header: h(1, 0, 0, 2),
      body: {
        blockers: noBlockers,
        redundancy: noWarnings,
        role: "active",
        status: "normal",
        pairSubsystem: 0,
        responder: "mserver1",
      },
    },
  },
  {
    name: "rp-check-reply-blocked-signed",
    signed: true,
    message: {
      type: "check-reply",
      header: h(7, 0, 0, 3),
      body: {
        blockers: { ...noBlockers, esxiLink: true, pduLink: true },
        redundancy: { ...noWarnings, standbyNotSynchronised: true },
        role: "active",
        status: "error",
        pairSubsystem: 10021,
        responder: "mserver2",
      },
    },
  },
  {
    name: "rp-reset",
    signed: false,
    message: {
      type: "reset",
      header: h(0x1234_5678, 10002),
      body: { targetSubsystem: 10001, clusterPort: 6001, targetSystemName: "PSERVER3" },
    },
  },
  {
    name: "rp-reset-retransmit-signed",
    signed: true,
    message: {
      type: "reset",
      header: h(0x1234_5678, 10002, 1, 500),
      body: { targetSubsystem: 10001, clusterPort: 6001, targetSystemName: "PSERVER3" },
    },
  },
  {
    // FENCE (header flags bit 1): a fence agent's RESET, signed; flags byte 0x03 = AUTH | FENCE.
    name: "rp-reset-fence-signed",
    signed: true,
    message: {
      type: "reset",
      header: h(0x1234_5679, 10002),
      body: { targetSubsystem: 10001, clusterPort: 6001, targetSystemName: "PSERVER3", fence: true },
    },
  },
  {
    name: "rp-reset-accepted",
    signed: false,
    message: {
      type: "reset-accepted",
      header: h(0x1234_5678, 0, 0, 1),
      body: { targetSubsystem: 10001, phase: "softReset" },
    },
  },
  {
    name: "rp-reset-result-dump",
    signed: false,
    message: {
      type: "reset-result",
      header: h(0x1234_5678, 0, 0, 1800),
      body: { targetSubsystem: 10001, result: "DUMP", detail: "none" },
    },
  },
  {
    name: "rp-reset-result-fail-signed",
    signed: true,
    message: {
      type: "reset-result",
      header: h(42, 0, 2, 2000),
      body: { targetSubsystem: 10021, result: "FAIL", detail: "requesterBeingReset" },
    },
  },
  {
    name: "rp-reset-result-error",
    signed: false,
    message: {
      type: "reset-result",
      header: h(43, 0),
      body: { targetSubsystem: 99999, result: "ERROR", detail: "unknownTarget" },
    },
  },
  {
    name: "rp-result-ack",
    signed: false,
    message: { type: "result-ack", header: h(0x1234_5678, 10002, 0, 1801), body: { targetSubsystem: 10001 } },
  },
  {
    name: "rp-dump-notice",
    signed: false,
    message: {
      type: "dump-notice",
      header: h(900, 10001, 0, 900),
      body: { clusterPort: 6001, systemName: "PSERVER3" },
    },
  },
  {
    name: "rp-dump-notice-anonymous-signed",
    signed: true,
    message: { type: "dump-notice", header: h(901, 10001, 3), body: { clusterPort: 0, systemName: "" } },
  },
  {
    name: "rp-dump-ack",
    signed: false,
    message: { type: "dump-ack", header: h(900, 0, 0, 901), body: { subsystem: 10001, status: "accepted" } },
  },
  {
    name: "rp-attention-dump",
    signed: false,
    message: {
      type: "attention",
      header: h(5, 0, 0, 1000),
      body: {
        eventId: 0x0000_0003_0000_0001,
        state: "DUMP",
        kind: "physical",
        targetSubsystem: 10001,
        clusterPort: 6001,
        targetSystemName: "PSERVER3",
        targetVmName: "",
      },
    },
  },
  {
    name: "rp-attention-guest-poff-signed",
    signed: true,
    message: {
      type: "attention",
      header: h(6, 0, 4),
      body: {
        eventId: 2 ** 53 - 1,
        state: "POFF",
        kind: "guest",
        targetSubsystem: 10014,
        clusterPort: 6002,
        targetSystemName: "PSERVER1",
        targetVmName: "v_system04",
      },
    },
  },
  {
    name: "rp-attention-reboot",
    signed: false,
    message: {
      type: "attention",
      header: h(8, 0),
      body: {
        eventId: 77,
        state: "REBOOT",
        kind: "physical",
        targetSubsystem: 10002,
        clusterPort: 6001,
        targetSystemName: "PSERVER4",
        targetVmName: "",
      },
    },
  },
  {
    name: "rp-attention-ack",
    signed: false,
    message: {
      type: "attention-ack",
      header: h(5, 10002, 0, 1001),
      body: { eventId: 0x0000_0003_0000_0001 },
    },
  },
  {
    name: "rp-unsupported-version",
    signed: false,
    message: { type: "unsupported-version", header: h(99, 0), body: { minVersion: 1, maxVersion: 1 } },
  },
];

export const DUPLEX_SAMPLES: readonly Sample<DuplexMessage>[] = [
  {
    name: "dx-heartbeat",
    signed: true,
    message: {
      type: "heartbeat",
      header: h(314, 1),
      body: {
        role: "active",
        flags: { holdsVip: true, synchronised: true, leaving: false, fencing: false },
        intervalMs: 500,
        term: 3,
        stateVersion: 1042,
        configDigest: DIGEST,
        nodeName: "mserver1",
      },
    },
  },
  {
    name: "dx-heartbeat-fencing",
    signed: true,
    message: {
      type: "heartbeat",
      header: h(314, 1),
      body: {
        role: "standby",
        flags: { holdsVip: false, synchronised: false, leaving: false, fencing: true },
        intervalMs: 500,
        term: 3,
        stateVersion: 1042,
        configDigest: DIGEST,
        nodeName: "mserver1",
      },
    },
  },
  {
    name: "dx-hello",
    signed: true,
    message: {
      type: "hello",
      header: h(1, 2),
      body: { role: "standby", term: 3, stateVersion: 0, configDigest: DIGEST, nodeName: "mserver2" },
    },
  },
  {
    name: "dx-snapshot",
    signed: true,
    message: {
      type: "snapshot",
      header: h(2, 1),
      body: {
        term: 3,
        stateVersion: 1042,
        state: {
          encoding: "json",
          schema: 1,
          data: { systems: [{ port: 6001, subsystem: 10001, status: "normal", addr: "127.0.0.21" }] },
        },
      },
    },
  },
  {
    name: "dx-delta",
    signed: true,
    message: {
      type: "delta",
      header: h(3, 1),
      body: {
        term: 3,
        baseVersion: 1042,
        stateVersion: 1043,
        change: {
          encoding: "json",
          schema: 1,
          data: { op: "status", port: 6001, subsystem: 10001, status: "reset" },
        },
      },
    },
  },
  {
    name: "dx-sync-ack",
    signed: true,
    message: { type: "sync-ack", header: h(4, 2), body: { term: 3, stateVersion: 1043 } },
  },
  {
    name: "dx-command",
    signed: true,
    message: {
      type: "command",
      header: h(17, 1),
      body: { command: "collectLogs", args: { encoding: "json", schema: 1, data: { since: null } } },
    },
  },
  {
    name: "dx-command-result-octets",
    signed: true,
    message: {
      type: "command-result",
      header: h(17, 2),
      body: {
        command: "collectLogs",
        status: "partial",
        chunk: 0,
        data: { encoding: "octets", schema: 1, data: Uint8Array.from([0x1f, 0x8b, 0x08, 0x00]) },
      },
    },
  },
  {
    name: "dx-command-result-done",
    signed: true,
    message: {
      type: "command-result",
      header: h(18, 2),
      body: {
        command: "restartStandby",
        status: "done",
        chunk: 0,
        data: { encoding: "json", schema: 1, data: { code: "OK", message: "standby restarted" } },
      },
    },
  },
  {
    name: "dx-unsupported-version",
    signed: true,
    message: { type: "unsupported-version", header: h(5, 2), body: { minVersion: 1, maxVersion: 1 } },
  },
];
