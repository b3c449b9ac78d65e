// Guest power for the poll round, one exec per host: every guest's `status()` asked in the same
// turn of the event loop (the engine starts a host's guest polls in one step) waits for one
// `vim-cmd vmsvc/getallvms && echo … && vmdumper -l` and reads its own answer from it.
// At the manual's maxima that is 16 execs per round instead of 240 (the ssh packet crypto of one
// channel per guest was most of the daemon's CPU; issue 19).
//
// Per guest, as with one command each: registered and running (a VMX world) = on; registered,
// not running = off (powered off or suspended: no code runs, as `status()` always counted it);
// not registered = DEVICE_NOT_FOUND, two VMs of that name = DEVICE_REJECTED vm-ambiguous — never
// "off". A failed, timed-out or unreadable command fails every guest that waited for it.
import type { CallOptions, PowerState } from "@haconn/config";
import { GUEST_POWER_LIST_SEPARATOR } from "./commands.js";
import { esxiError } from "./errors.js";
import type { ExecResult } from "./exec-channel.js";
import { OutputParseError, parseGetAllVms } from "./parse-vim-cmd.js";
import { parseVmdumperList } from "./parse-world.js";

/** What the batch needs of its EsxiHost. */
export interface GuestPowerHost {
  readonly hostId: string;
  readonly commandTimeoutMs: number;
  readonly commands: { guestPowerList(): string };
  exec(command: string, options: CallOptions): Promise<ExecResult>;
}

interface Waiter {
  vmName: string;
  deadline: number;
  signal: AbortSignal | undefined;
  settle(outcome: { ok: true; power: PowerState } | { ok: false; error: unknown }): void;
}

/** Registered VM names (with how many carry each) and the names of running VMs. */
export interface GuestPowerList {
  registered: Map<string, number>;
  running: Map<string, number>;
}

/** Splits and reads the two listings of `guestPowerList`; OutputParseError when either is malformed. */
export function parseGuestPowerList(stdout: string): GuestPowerList {
  const lines = stdout.split(/\r?\n/);
  const at = lines.findIndex((line) => line.trim() === GUEST_POWER_LIST_SEPARATOR);
  if (at < 0) throw new OutputParseError("guest power list: separator missing", stdout);
  const count = (names: string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const n of names) m.set(n, (m.get(n) ?? 0) + 1);
    return m;
  };
  const all = parseGetAllVms(`${lines.slice(0, at).join("\n")}\n`);
  const running = parseVmdumperList(lines.slice(at + 1).join("\n"));
  return {
    registered: count(all.map((vm) => vm.name)),
    running: count(running.map((vm) => vm.displayName)),
  };
}

export class GuestPowerBatch {
  readonly #host: GuestPowerHost;
  #waiting: Waiter[] = [];
  #scheduled = false;
  /** Commands sent (one per batch), for tests and stats. */
  commands = 0;

  constructor(host: GuestPowerHost) {
    this.#host = host;
  }

  /** The guest's power from the next batch of this host (started at the end of this turn). */
  status(vmName: string, options: CallOptions = {}): Promise<PowerState> {
    return new Promise<PowerState>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void =>
        waiter.settle({
          ok: false,
          error: esxiError(
            "DEVICE_TIMEOUT",
            "command-timeout",
            `power of ${vmName} on ${this.#host.hostId}: aborted`,
            {
              target: this.#host.hostId,
              vmName,
            },
          ),
        });
      const waiter: Waiter = {
        vmName,
        deadline: Date.now() + (options.timeoutMs ?? this.#host.commandTimeoutMs),
        signal: options.signal,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener("abort", onAbort);
          if (outcome.ok) resolve(outcome.power);
          else reject(outcome.error);
        },
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
      if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => void this.#run());
      }
    });
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#waiting;
    this.#waiting = [];
    const host = this.#host;
    const deadline = Math.min(...batch.map((w) => w.deadline));
    const only = batch.length === 1 ? batch[0]?.signal : undefined;
    let list: GuestPowerList;
    let result: ExecResult | undefined;
    try {
      result = await host.exec(host.commands.guestPowerList(), {
        timeoutMs: Math.max(1, deadline - Date.now()),
        ...(only ? { signal: only } : {}),
      });
      if (result.code !== 0) {
        throw esxiError(
          "DEVICE_REJECTED",
          "command-failed",
          `${result.command} on ${host.hostId} failed (exit ${result.code ?? result.signal ?? "none"}): ${(result.stderr || result.stdout).trim().split(/\r?\n/)[0] ?? ""}`,
          { target: host.hostId, command: result.command, exitCode: result.code, stderr: result.stderr },
        );
      }
      list = parseGuestPowerList(result.stdout);
    } catch (error) {
      const e =
        error instanceof OutputParseError && result
          ? esxiError("DEVICE_BAD_OUTPUT", "bad-output", `${error.message} (${host.hostId})`, {
              target: host.hostId,
              command: result.command,
              stdout: result.stdout,
              stderr: result.stderr,
            })
          : error;
      for (const w of batch) w.settle({ ok: false, error: e });
      return;
    }
    for (const w of batch) w.settle(this.#answer(w.vmName, list));
  }

  #answer(vmName: string, list: GuestPowerList): Parameters<Waiter["settle"]>[0] {
    const target = this.#host.hostId;
    const registered = list.registered.get(vmName) ?? 0;
    if (registered === 0) {
      return {
        ok: false,
        error: esxiError("DEVICE_NOT_FOUND", "vm-not-found", `no VM named ${vmName} on ${target}`, {
          vmName,
          target,
        }),
      };
    }
    if (registered > 1 || (list.running.get(vmName) ?? 0) > 1) {
      return {
        ok: false,
        error: esxiError("DEVICE_REJECTED", "vm-ambiguous", `more than one VM is named ${vmName}`, {
          vmName,
          target,
        }),
      };
    }
    return { ok: true, power: list.running.has(vmName) ? "on" : "off" };
  }
}
