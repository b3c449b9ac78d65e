// The main thread's ESXi drivers: thin proxies with the interfaces the engine and the daemon
// used in-thread (PowerController per guest, `connect` per host), each call run by the ESXi
// worker thread (client.ts). Errors come back as the driver threw them (code, message, details).
import type { CallOptions, PowerController, PowerState } from "@haconn/config";
import type { EsxiWorkerClient } from "./client.js";

/** One ESXi host registered with the worker: its ssh connection lives there. */
export class EsxiHostLink {
  readonly hostId: string;
  readonly describe: string;
  readonly username: string;

  constructor(
    readonly client: EsxiWorkerClient,
    readonly handle: number,
    addr: string,
    port: number,
    username: string,
  ) {
    this.hostId = `${addr}:${port}`; // hostIdOf (@haconn/esxi), not imported: the worker's code
    this.username = username;
    this.describe = `esxi ${this.hostId} user=${username}`;
  }

  /** Opens the host's ssh connection now (link check); resolves when authenticated. */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.client.call(this.handle, "connect", undefined, options);
  }

  /** Closes the connection in the worker. */
  close(): void {
    this.client.dropHost(this.handle);
  }
}

/** The PowerController of one guest (EsxiGuestController in the worker). */
export class EsxiGuestProxy implements PowerController {
  readonly kind = "esxi" as const;
  readonly describe: string;

  constructor(
    readonly host: EsxiHostLink,
    readonly vmName: string,
  ) {
    this.describe = `esxi guest ${vmName} on ${host.hostId} user=${host.username}`;
  }

  async status(options: CallOptions = {}): Promise<PowerState> {
    return (await this.#call("status", options)) as PowerState;
  }

  on(options: CallOptions = {}): Promise<void> {
    return this.#call("on", options).then(() => undefined);
  }

  off(options: CallOptions = {}): Promise<void> {
    return this.#call("off", options).then(() => undefined);
  }

  reset(options: CallOptions = {}): Promise<void> {
    return this.#call("reset", options).then(() => undefined);
  }

  nmi(options: CallOptions = {}): Promise<void> {
    return this.#call("nmi", options).then(() => undefined);
  }

  async close(): Promise<void> {
    // The host is shared by its guests; Devices closes it.
  }

  #call(op: "status" | "on" | "off" | "reset" | "nmi", options: CallOptions): Promise<string | null> {
    return this.host.client.call(this.host.handle, op, this.vmName, options);
  }
}
