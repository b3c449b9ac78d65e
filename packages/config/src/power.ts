// The one small driver interface (ARCHITECTURE example 1). bmc, ipdu and esxi implement it and
// nothing else; escalation, retries, "already off" and polling live once, in core.

export type PowerState = "on" | "off";

export interface CallOptions {
  /** Abandon the call (and kill any child process) when this fires. */
  signal?: AbortSignal;
  /** Overrides the driver's default per-call deadline, in milliseconds. */
  timeoutMs?: number;
}

export interface PowerController {
  /** Which kind of device this drives; used in logs and link-state reporting. */
  readonly kind: "bmc" | "ipdu" | "esxi";
  /** A printable, secret-free description of the target, e.g. `bmc 127.0.0.1:9623 user=admin`. */
  readonly describe: string;
  /** Current power state. Rejects with a DriverError when the state cannot be read. */
  status(options?: CallOptions): Promise<PowerState>;
  on(options?: CallOptions): Promise<void>;
  off(options?: CallOptions): Promise<void>;
  /** Hardware reset. Resolves when the device acknowledged the request. */
  reset(options?: CallOptions): Promise<void>;
  /** Software reset (NMI / diagnostic interrupt). DEVICE_UNSUPPORTED when the device cannot. */
  nmi?(options?: CallOptions): Promise<void>;
  /** Release sessions/connections. Safe to call twice. */
  close?(): Promise<void>;
}
