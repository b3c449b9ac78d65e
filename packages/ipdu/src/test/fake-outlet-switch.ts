// An in-memory PDU for engine tests: outlets with states, per-outlet failure injection, a call log.
import { type CallOptions, DriverError, type DriverErrorCode, type PowerState } from "@haconn/config";
import type { OutletSwitch } from "../server-outlets.js";

export interface FakeOutletCall {
  op: "state" | "set";
  outlet: number;
  state?: PowerState;
}

export class FakeOutletSwitch implements OutletSwitch {
  readonly key: string;
  readonly calls: FakeOutletCall[] = [];
  readonly #states = new Map<number, PowerState>();
  readonly #failures = new Map<number, DriverErrorCode>();

  constructor(key: string, outlets = 12, initial: PowerState = "on") {
    this.key = key;
    for (let n = 1; n <= outlets; n++) this.#states.set(n, initial);
  }

  /** Every later call on this outlet fails with `code` (undefined clears). */
  fail(outlet: number, code: DriverErrorCode | undefined): void {
    if (code) this.#failures.set(outlet, code);
    else this.#failures.delete(outlet);
  }

  state(outlet: number): PowerState | undefined {
    return this.#states.get(outlet);
  }

  async outletState(outlet: number, _options?: CallOptions): Promise<PowerState> {
    this.calls.push({ op: "state", outlet });
    return this.#check(outlet);
  }

  async setOutlet(
    outlet: number,
    state: PowerState,
    options?: CallOptions & { verify?: boolean },
  ): Promise<PowerState | null> {
    this.calls.push({ op: "set", outlet, state });
    this.#check(outlet);
    this.#states.set(outlet, state);
    return options?.verify === false ? null : state;
  }

  #check(outlet: number): PowerState {
    const code = this.#failures.get(outlet);
    if (code) throw new DriverError(code, `${this.key}: outlet ${outlet} injected ${code}`);
    const s = this.#states.get(outlet);
    if (!s) throw new DriverError("DEVICE_NOT_FOUND", `${this.key}: no outlet ${outlet}`);
    return s;
  }
}
