// The real haconnd, in this process, with zero-latency power controllers: Daemon.start() with a
// configuration written by the real ConfigStore (loopback only), so the reset path is the
// daemon's own UDP socket, ResetPathService, EngineRunner, reset log (synchronous appends),
// event logs and metrics. Only the device layer is replaced: Devices.prototype.controller is
// swapped for the bench's fakes while the daemon runs (restored by stop()).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore, type HaconnConfig, type PowerController, type PowerState } from "@haconn/config";
import type { DeviceRef } from "@haconn/core";
import { Daemon } from "../../../apps/haconnd/src/daemon.js";
import { Devices } from "../../../apps/haconnd/src/devices.js";
import {
  DEFAULT_HELPER_NICE_OFFSET,
  keepHelperThreadsLow,
} from "../../../apps/haconnd/src/helper-threads.js";
import { ResetPathSocket } from "../../../apps/haconnd/src/reset-path/socket.js";
import type { ResetPathMessage } from "@haconn/protocol";

export type FakeOp = "status" | "on" | "off" | "reset" | "nmi";

export interface DeviceCall {
  device: DeviceRef;
  op: FakeOp;
  /** performance.now() when the driver was called. */
  at: number;
}

/** Zero-latency controllers: every call answers on the next microtask, power stays on. */
export class ZeroLatencyDevices {
  private readonly cache = new Map<string, PowerController>();
  private readonly listeners = new Set<(call: DeviceCall) => void>();
  readonly counts: Record<FakeOp, number> = { status: 0, on: 0, off: 0, reset: 0, nmi: 0 };

  onCall(listener: (call: DeviceCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  controller(device: DeviceRef): PowerController {
    const key =
      device.type === "bmc"
        ? `bmc:${device.system}`
        : device.type === "guest"
          ? `guest:${device.system}/${device.vmName}`
          : `outlet:${device.pdu}#${device.outlet}`;
    let c = this.cache.get(key);
    if (!c) {
      const call = <T>(op: FakeOp, value: T): Promise<T> => {
        const at = performance.now();
        this.counts[op] += 1;
        for (const l of this.listeners) l({ device, op, at });
        return Promise.resolve(value);
      };
      c = {
        kind: device.type === "bmc" ? "bmc" : device.type === "guest" ? "esxi" : "ipdu",
        describe: `zero-latency ${key}`,
        status: () => call<PowerState>("status", "on"),
        on: () => call("on", undefined),
        off: () => call("off", undefined),
        reset: () => call("reset", undefined),
        nmi: () => call("nmi", undefined),
      } as PowerController;
      this.cache.set(key, c);
    }
    return c;
  }
}

/** A datagram the daemon handed to the kernel: performance.now() when socket.send returned. */
export interface SentDatagram {
  to: { addr: string; port: number };
  message: ResetPathMessage;
  at: number;
}

/** A datagram the daemon's reset-path socket received: performance.now() when its handler began. */
export interface ReceivedDatagram {
  bytes: Buffer;
  at: number;
}

export interface BenchDaemon {
  daemon: Daemon;
  devices: ZeroLatencyDevices;
  /** Every datagram reaching the daemon's reset-path socket handler (before decoding). */
  onReceive(listener: (received: ReceivedDatagram) => void): () => void;
  /** Every datagram the daemon's reset-path socket sends (dgram sends to IPv4 literals synchronously). */
  onSend(listener: (sent: SentDatagram) => void): () => void;
  resetPort: number;
  logDir: string;
  stop(): Promise<void>;
}

/** Starts the daemon on `addr:port` with this configuration (resetpath is filled in). */
export async function startBenchDaemon(
  config: Omit<HaconnConfig, "resetpath">,
  addr: string,
  port: number,
): Promise<BenchDaemon> {
  const root = mkdtempSync(join(tmpdir(), "haconn-engine-bench-"));
  const etcDir = join(root, "etc");
  const logDir = join(root, "log");
  const runDir = join(root, "run");
  await new ConfigStore(etcDir).update(() => ({
    ...config,
    // Insecure on purpose (the explicit switch): the engine bench measures the engine, unsigned.
    resetpath: { addr, mask: "255.0.0.0", prefixLength: 8, port, insecure: true },
  }));
  const devices = new ZeroLatencyDevices();
  const original = Object.getOwnPropertyDescriptor(Devices.prototype, "controller")!;
  Object.defineProperty(Devices.prototype, "controller", {
    ...original,
    value(this: Devices, device: DeviceRef) {
      return devices.controller(device);
    },
  });
  const sendListeners = new Set<(sent: SentDatagram) => void>();
  const originalSend = Object.getOwnPropertyDescriptor(ResetPathSocket.prototype, "send")!;
  const send = originalSend.value as ResetPathSocket["send"];
  Object.defineProperty(ResetPathSocket.prototype, "send", {
    ...originalSend,
    value(this: ResetPathSocket, to: { addr: string; port: number }, message: ResetPathMessage) {
      send.call(this, to, message);
      const at = performance.now();
      for (const l of sendListeners) l({ to, message, at });
    },
  });
  const receiveListeners = new Set<(received: ReceivedDatagram) => void>();
  const originalReceive = Object.getOwnPropertyDescriptor(ResetPathSocket.prototype, "receive")!;
  const receive = originalReceive.value as (bytes: Buffer, from: { addr: string; port: number }) => void;
  Object.defineProperty(ResetPathSocket.prototype, "receive", {
    ...originalReceive,
    value(this: ResetPathSocket, bytes: Buffer, from: { addr: string; port: number }) {
      const at = performance.now();
      for (const l of receiveListeners) l({ bytes, at });
      receive.call(this, bytes, from);
    },
  });
  const restore = () => {
    Object.defineProperty(Devices.prototype, "controller", original);
    Object.defineProperty(ResetPathSocket.prototype, "send", originalSend);
    Object.defineProperty(ResetPathSocket.prototype, "receive", originalReceive);
  };
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({
      etcDir,
      logDir,
      runDir,
      stateDir: join(root, "state"),
      nodeName: "BENCH1",
      kdumpPort: null,
      broadcast: false,
      vipMode: "none",
      metrics: null,
    });
  } catch (error) {
    restore();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  // As bin/haconnd does (HACONN_HELPER_NICE; BENCH_HELPER_NICE=off measures without it).
  const helperNice = process.env.BENCH_HELPER_NICE === "off" ? null : DEFAULT_HELPER_NICE_OFFSET;
  const stopHelpers =
    helperNice === null ? () => undefined : keepHelperThreadsLow(helperNice, (line) => console.log(line));
  return {
    daemon,
    devices,
    onReceive: (listener) => {
      receiveListeners.add(listener);
      return () => receiveListeners.delete(listener);
    },
    onSend: (listener) => {
      sendListeners.add(listener);
      return () => sendListeners.delete(listener);
    },
    resetPort: port,
    logDir,
    stop: async () => {
      try {
        stopHelpers();
        await daemon.stop("bench done");
      } finally {
        restore();
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
