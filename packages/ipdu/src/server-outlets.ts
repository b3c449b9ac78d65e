// "All outlets of one server across several PDUs" as one PowerController (kind "ipdu").
//
// - off()/on() switch every outlet in parallel as one operation (cut()/restore() return the
//   per-outlet results; off()/on() throw one DriverError carrying them when any outlet failed).
// - status() is "on" when any outlet reads on (power still reaches the server through it),
//   "off" when every outlet reads off, and an error when some could not be read and none is on.
// - reset() is DEVICE_UNSUPPORTED: the engine cuts, waits the recovery time and restores
//   itself; an immediate off→on would not drain a power supply and could hide a failed cut.
import {
  type CallOptions,
  DriverError,
  type DriverErrorCode,
  type OutletLink,
  type PowerController,
  type PowerState,
} from "@haconn/config";

/** What the controller needs from one PDU; PduClient has it. */
export interface OutletSwitch {
  readonly key: string;
  outletState(outlet: number, options?: CallOptions): Promise<PowerState>;
  setOutlet(
    outlet: number,
    state: PowerState,
    options?: CallOptions & { verify?: boolean },
  ): Promise<PowerState | null>;
}

export interface OutletResult {
  pdu: string;
  outlet: number;
  ok: boolean;
  /** State read back after the set (null when not verified or on failure). */
  state: PowerState | null;
  /** Wall time of this outlet's operation, ms. */
  ms: number;
  error?: DriverError;
}

export interface ServerOutletsOptions {
  /** Read each outlet back after switching it (default true). */
  verify?: boolean;
}

/** JSON-safe form of results for error details and logs. */
export function outletResultsSummary(results: readonly OutletResult[]): Record<string, unknown>[] {
  return results.map((r) => ({
    pdu: r.pdu,
    outlet: r.outlet,
    ok: r.ok,
    state: r.state,
    ms: r.ms,
    ...(r.error ? { code: r.error.code, message: r.error.message } : {}),
  }));
}

function aggregate(verb: string, results: readonly OutletResult[]): DriverError | undefined {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return undefined;
  const codes = new Set(failed.map((r) => r.error?.code));
  // One shared code says it all; otherwise the first failed link in configuration order.
  const code: DriverErrorCode = [...codes][0] ?? "DEVICE_UNREACHABLE";
  const list = failed.map((r) => `${r.pdu}#${r.outlet} ${r.error?.code ?? "?"}`).join(", ");
  return new DriverError(
    code,
    `${verb}: ${results.length - failed.length} of ${results.length} outlets done; failed: ${list}`,
    {
      cause: failed[0]?.error,
      retryable: failed.every((r) => r.error?.retryable === true),
      details: { outlets: outletResultsSummary(results) },
    },
  );
}

/** The `PowerController` of a server's PDU outlets: `off` cuts every outlet, `on` restores them. */
export class ServerOutletsController implements PowerController {
  readonly kind = "ipdu" as const;
  readonly describe: string;
  readonly links: readonly OutletLink[];
  readonly #targets: readonly { link: OutletLink; pdu: OutletSwitch }[];
  readonly #verify: boolean;

  constructor(
    links: readonly OutletLink[],
    pdus: ReadonlyMap<string, OutletSwitch>,
    options: ServerOutletsOptions = {},
  ) {
    if (links.length === 0)
      throw new DriverError("DEVICE_NOT_FOUND", "no PDU outlet is linked to this server");
    this.links = links.map((l) => ({ ...l }));
    this.#targets = this.links.map((link) => {
      const pdu = pdus.get(link.pdu);
      if (!pdu) throw new DriverError("DEVICE_NOT_FOUND", `outlet link names unknown PDU ${link.pdu}`);
      return { link, pdu };
    });
    this.#verify = options.verify ?? true;
    this.describe = `ipdu outlets ${this.links.map((l) => `${l.pdu}#${l.outlet}`).join(",")}`;
  }

  /** Switches every outlet off in parallel; never throws, one result per linked outlet. */
  cut(options: CallOptions = {}): Promise<OutletResult[]> {
    return this.#switchAll("off", options);
  }

  restore(options: CallOptions = {}): Promise<OutletResult[]> {
    return this.#switchAll("on", options);
  }

  async off(options: CallOptions = {}): Promise<void> {
    const error = aggregate("cut", await this.cut(options));
    if (error) throw error;
  }

  async on(options: CallOptions = {}): Promise<void> {
    const error = aggregate("restore", await this.restore(options));
    if (error) throw error;
  }

  async status(options: CallOptions = {}): Promise<PowerState> {
    const results = await Promise.all(
      this.#targets.map(async ({ link, pdu }): Promise<OutletResult> => {
        const t0 = performance.now();
        try {
          const state = await pdu.outletState(link.outlet, options);
          return { pdu: link.pdu, outlet: link.outlet, ok: true, state, ms: performance.now() - t0 };
        } catch (error) {
          return this.#failed(link, error, t0);
        }
      }),
    );
    if (results.some((r) => r.state === "on")) return "on";
    const error = aggregate("status", results);
    if (error) throw error;
    return "off";
  }

  async reset(): Promise<void> {
    throw new DriverError(
      "DEVICE_UNSUPPORTED",
      `${this.describe}: a PDU has no reset; the engine cuts and restores the outlets itself`,
    );
  }

  #switchAll(state: PowerState, options: CallOptions): Promise<OutletResult[]> {
    return Promise.all(
      this.#targets.map(async ({ link, pdu }): Promise<OutletResult> => {
        const t0 = performance.now();
        try {
          const back = await pdu.setOutlet(link.outlet, state, { ...options, verify: this.#verify });
          if (back !== null && back !== state) {
            const error = new DriverError(
              "DEVICE_REJECTED",
              `${link.pdu}: outlet ${link.outlet} acknowledged ${state} but reads ${back}`,
              { retryable: true },
            );
            return {
              pdu: link.pdu,
              outlet: link.outlet,
              ok: false,
              state: back,
              ms: performance.now() - t0,
              error,
            };
          }
          return { pdu: link.pdu, outlet: link.outlet, ok: true, state: back, ms: performance.now() - t0 };
        } catch (error) {
          return this.#failed(link, error, t0);
        }
      }),
    );
  }

  #failed(link: OutletLink, error: unknown, t0: number): OutletResult {
    const driverError =
      error instanceof DriverError
        ? error
        : new DriverError("DEVICE_BAD_OUTPUT", `${link.pdu}#${link.outlet}: ${String(error)}`, {
            cause: error,
          });
    return {
      pdu: link.pdu,
      outlet: link.outlet,
      ok: false,
      state: null,
      ms: performance.now() - t0,
      error: driverError,
    };
  }
}
