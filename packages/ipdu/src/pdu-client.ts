// One IBM_PDU over SNMP v2c: identify the firmware, pick the profile, read and switch outlets.
// The community lives only inside the net-snmp session; `describe` and every error omit it.
import { type CallOptions, DriverError, type PowerState, pduKey } from "@haconn/config";
import { badOutput, classifySnmpError, timeoutError, varbindError } from "./errors.js";
import { type SnmpSession, SnmpType, type SnmpVarbind, snmp } from "./net-snmp.js";
import {
  IBM_PDU_ENTERPRISE,
  PDU_PROFILES,
  type PduIdentity,
  type PduProfile,
  SYS_DESCR_OID,
  SYS_OBJECT_ID_OID,
  selectPduProfile,
} from "./profiles.js";

/** ibmPduSoftwareVersion.0, read before any profile is known. */
export const IBM_PDU_FIRMWARE_OID = `${IBM_PDU_ENTERPRISE}.7.3.0`;

export const PDU_DEFAULTS = Object.freeze({
  port: 161,
  /** An iPDU on the management LAN answers in milliseconds; 1 s per attempt is generous. */
  attemptTimeoutMs: 1000,
  /** One re-send: a lost datagram is survived, a dead PDU is reported within ~2 s. */
  retries: 1,
});

export interface PduClientOptions {
  addr: string;
  port?: number;
  /** SNMP v2c community. Secret: kept in the session only, never logged or described. */
  community: string;
  attemptTimeoutMs?: number;
  retries?: number;
  /** Operator-forced profile name (PduSettings.profile), or null/undefined to choose by firmware. */
  profile?: string | null;
  profiles?: readonly PduProfile[];
}

export interface OutletStateEntry {
  outlet: number;
  state: PowerState;
}

export interface SetOutletOptions extends CallOptions {
  /** Read the state back after the set (default true). Costs one more round trip. */
  verify?: boolean;
}

export interface PduDetected extends PduIdentity {
  readonly sysDescr: string | null;
  readonly profile: PduProfile;
}

const text = (vb: SnmpVarbind): string | null =>
  Buffer.isBuffer(vb.value)
    ? vb.value.toString("latin1").trim()
    : typeof vb.value === "string"
      ? vb.value
      : null;

/**
 * One PDU over SNMP v2c: identifies it (sysObjectID and firmware select a profile), reads and sets
 * outlets with per-call deadlines; the community stays in the session, never in a message.
 */
export class PduClient {
  readonly key: string;
  readonly describe: string;
  readonly defaultTimeoutMs: number;
  readonly #session: SnmpSession;
  readonly #forced: string | null;
  readonly #profiles: readonly PduProfile[];
  #detected: Promise<PduDetected> | undefined;
  #outletCount: number | undefined;
  #closed = false;

  constructor(options: PduClientOptions) {
    const port = options.port ?? PDU_DEFAULTS.port;
    const attempt = options.attemptTimeoutMs ?? PDU_DEFAULTS.attemptTimeoutMs;
    const retries = options.retries ?? PDU_DEFAULTS.retries;
    this.key = pduKey(options.addr, port);
    this.#forced = options.profile ?? null;
    this.#profiles = options.profiles ?? PDU_PROFILES;
    this.describe = `ipdu ${options.addr}:${port} profile=${this.#forced ?? "auto"}`;
    // net-snmp gives up after attempt × (retries + 1); our own deadline sits just beyond it.
    this.defaultTimeoutMs = attempt * (retries + 1) + 200;
    this.#session = snmp.createSession(options.addr, options.community, {
      port,
      retries,
      timeout: attempt,
      backoff: 1,
      transport: options.addr.includes(":") ? "udp6" : "udp4",
      version: snmp.Version2c,
    });
    this.#session.on("error", () => {
      // Undecodable datagrams and socket errors: requests fail through their own callbacks.
    });
  }

  /** Reads sysObjectID, sysDescr and firmware, and picks the profile (cached until forget()). */
  detect(options: CallOptions = {}): Promise<PduDetected> {
    if (!this.#detected) {
      const pending = this.#identify(options);
      this.#detected = pending;
      pending.catch(() => {
        if (this.#detected === pending) this.#detected = undefined;
      });
    }
    return this.#detected;
  }

  /** Drops the cached profile and outlet count, e.g. after the PDU was restarted or upgraded. */
  forget(): void {
    this.#detected = undefined;
    this.#outletCount = undefined;
  }

  async firmwareVersion(options: CallOptions = {}): Promise<string> {
    return (await this.detect(options)).firmware;
  }

  async outletCount(options: CallOptions = {}): Promise<number> {
    const deadline = this.#deadline(options);
    const profile = (await this.detect({ ...options, timeoutMs: deadline.left() })).profile;
    const [vb] = await this.#get([profile.outletCountOid], "outlet count", deadline, options.signal);
    if (!vb) throw new DriverError("DEVICE_BAD_OUTPUT", `${this.key}: empty response to outlet count`);
    const missing = varbindError(vb, this.key, "outlet count");
    if (missing) throw missing;
    const count = vb.type === SnmpType.Integer ? Number(vb.value) : Number.NaN;
    if (!Number.isInteger(count) || count < 0) throw badOutput(this.key, "outlet count", vb);
    this.#outletCount = count;
    return count;
  }

  async outletState(outlet: number, options: CallOptions = {}): Promise<PowerState> {
    this.#checkOutlet(outlet);
    const deadline = this.#deadline(options);
    const profile = (await this.detect({ ...options, timeoutMs: deadline.left() })).profile;
    const [vb] = await this.#get(
      [`${profile.statusColumn}.${outlet}`],
      `outlet ${outlet} state`,
      deadline,
      options.signal,
    );
    return this.#state(profile, vb, outlet);
  }

  /** Every outlet's state, read with one GET per 24 outlets. */
  async outletStates(options: CallOptions = {}): Promise<OutletStateEntry[]> {
    const deadline = this.#deadline(options);
    const profile = (await this.detect({ ...options, timeoutMs: deadline.left() })).profile;
    const count = this.#outletCount ?? (await this.outletCount({ ...options, timeoutMs: deadline.left() }));
    const out: OutletStateEntry[] = [];
    for (let first = 1; first <= count; first += 24) {
      const outlets = Array.from({ length: Math.min(24, count - first + 1) }, (_, i) => first + i);
      const vbs = await this.#get(
        outlets.map((n) => `${profile.statusColumn}.${n}`),
        "outlet states",
        deadline,
        options.signal,
      );
      outlets.forEach((n, i) => {
        out.push({ outlet: n, state: this.#state(profile, vbs[i], n) });
      });
    }
    return out;
  }

  /**
   * Switches one outlet. The SET response already means the agent committed the value; with
   * `verify` (default) the state column is read back and returned, else null is returned.
   */
  async setOutlet(
    outlet: number,
    state: PowerState,
    options: SetOutletOptions = {},
  ): Promise<PowerState | null> {
    this.#checkOutlet(outlet);
    const deadline = this.#deadline(options);
    const profile = (await this.detect({ ...options, timeoutMs: deadline.left() })).profile;
    const what = `outlet ${outlet} ${state}`;
    const oid = `${profile.controlColumn}.${outlet}`;
    const value = state === "on" ? profile.turnOn : profile.turnOff;
    const vbs = await this.#call(what, deadline, options.signal, (cb) =>
      this.#session.set([{ oid, type: SnmpType.Integer, value }], cb),
    );
    const vb = vbs[0];
    if (!vb) throw new DriverError("DEVICE_BAD_OUTPUT", `${this.key}: empty response to ${what}`);
    const missing = varbindError(vb, this.key, what);
    if (missing) throw missing;
    if (options.verify === false) return null;
    const [back] = await this.#get(
      [`${profile.statusColumn}.${outlet}`],
      `${what} read-back`,
      deadline,
      options.signal,
    );
    return this.#state(profile, back, outlet);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#session.close();
    } catch {
      // never bound: nothing to close
    }
  }

  async #identify(options: CallOptions): Promise<PduDetected> {
    const deadline = this.#deadline(options);
    const [oidVb, descrVb, fwVb] = await this.#call("identification", deadline, options.signal, (cb) =>
      this.#session.get([SYS_OBJECT_ID_OID, SYS_DESCR_OID, IBM_PDU_FIRMWARE_OID], cb),
    );
    const sysObjectId = oidVb && oidVb.type === SnmpType.OID ? String(oidVb.value).replace(/^\./, "") : null;
    const sysDescr = descrVb && !snmp.isVarbindError(descrVb) ? text(descrVb) : null;
    const firmware = fwVb && !snmp.isVarbindError(fwVb) ? text(fwVb) : null;
    if (firmware === null && this.#forced === null) {
      throw new DriverError(
        "DEVICE_UNSUPPORTED",
        `${this.key}: the device does not serve ibmPduSoftwareVersion; name a profile to force one`,
        { details: { target: this.key, sysObjectId } },
      );
    }
    const identity = { firmware: firmware ?? "(not reported)", sysObjectId };
    try {
      return { ...identity, sysDescr, profile: selectPduProfile(identity, this.#forced, this.#profiles) };
    } catch (error) {
      if (error instanceof DriverError) {
        throw new DriverError(error.code, `${this.key}: ${error.message}`, {
          details: { target: this.key, ...error.details },
        });
      }
      throw error;
    }
  }

  #state(profile: PduProfile, vb: SnmpVarbind | undefined, outlet: number): PowerState {
    if (!vb) throw new DriverError("DEVICE_BAD_OUTPUT", `${this.key}: no varbind for outlet ${outlet}`);
    const missing = varbindError(vb, this.key, `outlet ${outlet}`);
    if (missing) throw missing;
    if (vb.type === SnmpType.Integer && vb.value === profile.stateOn) return "on";
    if (vb.type === SnmpType.Integer && vb.value === profile.stateOff) return "off";
    throw badOutput(this.key, `outlet ${outlet} state (value ${String(vb.value)})`, vb);
  }

  #checkOutlet(outlet: number): void {
    if (!Number.isInteger(outlet) || outlet < 1) {
      throw new DriverError("DEVICE_NOT_FOUND", `${this.key}: invalid outlet number ${outlet}`);
    }
  }

  #deadline(options: CallOptions): { left(): number; total: number } {
    const total = options.timeoutMs ?? this.defaultTimeoutMs;
    const end = performance.now() + total;
    return { total, left: () => Math.max(0, Math.round(end - performance.now())) };
  }

  #get(
    oids: string[],
    what: string,
    deadline: { left(): number; total: number },
    signal?: AbortSignal,
  ): Promise<SnmpVarbind[]> {
    return this.#call(what, deadline, signal, (cb) => this.#session.get(oids, cb));
  }

  #call(
    what: string,
    deadline: { left(): number; total: number },
    signal: AbortSignal | undefined,
    start: (cb: (error: Error | null, varbinds?: SnmpVarbind[]) => void) => void,
  ): Promise<SnmpVarbind[]> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new DriverError("DEVICE_UNREACHABLE", `${this.key}: client closed`));
        return;
      }
      let settled = false;
      const finish = (error: DriverError | null, varbinds?: SnmpVarbind[]): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(varbinds ?? []);
      };
      const onAbort = (): void =>
        finish(new DriverError("DEVICE_TIMEOUT", `${this.key}: ${what} abandoned (aborted)`));
      const timer = setTimeout(() => finish(timeoutError(this.key, deadline.total, what)), deadline.left());
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        start((error, varbinds) =>
          finish(error ? classifySnmpError(error, this.key, what, deadline.total) : null, varbinds),
        );
      } catch (error) {
        finish(classifySnmpError(error, this.key, what, deadline.total));
      }
    });
  }
}
