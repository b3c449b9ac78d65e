// PowerController for one ESXi guest, found by VM name on an EsxiHost.
//   status = registered (vim-cmd vmsvc/getallvms) and running (vmdumper -l), one command for
//            every guest of the host asked in the same turn (guest-power-batch.ts); suspended
//            counts as off: the guest runs no code, as fence-agents' vmware agents treat every
//            state but poweredOn
//   powerState = vim-cmd vmsvc/power.getstate <vmid> (suspended told apart)
//   reset  = vim-cmd vmsvc/power.reset <vmid>       (hardware reset)
//   nmi    = world id from `vmdumper -l` (or `esxcli vm process list`), then vmdumper <wid> nmi
//   on/off = vim-cmd vmsvc/power.on|off <vmid>
// name → vmid is cached (vmids are stable while a VM stays registered) and re-read when the host
// answers NotFound or the entry is older than vmidCacheTtlMs. World ids change at every power-on
// and are never cached.
import type { CallOptions, PowerController, PowerState } from "@haconn/config";
import type { VmPowerOp } from "./commands.js";
import { esxiError } from "./errors.js";
import type { EsxiHost } from "./esxi-host.js";
import { expectSuccess } from "./esxi-host.js";
import type { ExecResult } from "./exec-channel.js";
import {
  OutputParseError,
  parseGetAllVms,
  parsePowerState,
  parseVimFault,
  type VmPowerState,
} from "./parse-vim-cmd.js";
import {
  isNmiAcknowledged,
  parseEsxcliProcessList,
  parseVmdumperList,
  type RunningVm,
} from "./parse-world.js";

export interface EsxiGuestOptions {
  host: EsxiHost;
  /** The VM name as `vim-cmd vmsvc/getallvms` lists it (ours: 1-31 alphanumerics). */
  vmName: string;
  /** Where the NMI path reads the world id. Default "vmdumper" (fast; esxcli takes seconds on a busy host). */
  worldIdSource?: "vmdumper" | "esxcli";
  /** Default 60000. */
  vmidCacheTtlMs?: number;
}

interface Step {
  deadline: number;
  signal: AbortSignal | undefined;
}

/**
 * The `PowerController` of one guest, found by name in the host's listing: power through
 * `vim-cmd vmsvc/power.*`, NMI through `vmdumper <world id> nmi`.
 */
export class EsxiGuestController implements PowerController {
  readonly kind = "esxi" as const;
  readonly describe: string;
  readonly vmName: string;
  readonly #host: EsxiHost;
  readonly #worldIdSource: "vmdumper" | "esxcli";
  readonly #ttl: number;
  #cached: { vmid: number; at: number } | undefined;

  constructor(options: EsxiGuestOptions) {
    this.#host = options.host;
    this.vmName = options.vmName;
    this.#worldIdSource = options.worldIdSource ?? "vmdumper";
    this.#ttl = options.vmidCacheTtlMs ?? 60_000;
    this.describe = `esxi guest ${options.vmName} on ${options.host.hostId} user=${options.host.username}`;
  }

  /**
   * On when the guest has a running VMX world, off when registered but not running (powered off
   * or suspended). Asked together with the host's other guests of the same turn: one command per
   * host per poll round (guest-power-batch.ts).
   */
  status(options: CallOptions = {}): Promise<PowerState> {
    return this.#host.guestPower.status(this.vmName, options);
  }

  /** The state as ESXi reports it, suspended included (`vim-cmd vmsvc/power.getstate`, one command). */
  async powerState(options: CallOptions = {}): Promise<VmPowerState> {
    const result = await this.#onVm(this.#step(options), (vmid, t) =>
      this.#host.exec(this.#host.commands.powerGetState(vmid), t),
    );
    return this.#parse(() => parsePowerState(result.stdout), result);
  }

  on(options: CallOptions = {}): Promise<void> {
    return this.#power("on", options);
  }

  off(options: CallOptions = {}): Promise<void> {
    return this.#power("off", options);
  }

  reset(options: CallOptions = {}): Promise<void> {
    return this.#power("reset", options);
  }

  async nmi(options: CallOptions = {}): Promise<void> {
    const step = this.#step(options);
    const worldId = await this.worldId(step);
    const result = expectSuccess(
      await this.#host.exec(this.#host.commands.nmi(worldId), this.#callOptions(step)),
      this.#host.hostId,
    );
    if (!isNmiAcknowledged(result.stdout)) {
      throw this.#badOutput(`vmdumper ${worldId} nmi did not acknowledge`, result);
    }
  }

  /** The running guest's world id; DEVICE_REJECTED (vm-not-running) when it has none. */
  async worldId(step: Step | CallOptions = {}): Promise<number> {
    const s = "deadline" in step ? (step as Step) : this.#step(step as CallOptions);
    const c = this.#host.commands;
    const command = this.#worldIdSource === "esxcli" ? c.vmProcessList() : c.vmdumperList();
    const result = expectSuccess(await this.#host.exec(command, this.#callOptions(s)), this.#host.hostId);
    const running: RunningVm[] = this.#parse(
      () => (this.#worldIdSource === "esxcli" ? parseEsxcliProcessList : parseVmdumperList)(result.stdout),
      result,
    );
    const mine = running.filter((vm) => vm.displayName === this.vmName);
    if (mine.length > 1) {
      throw esxiError("DEVICE_REJECTED", "vm-ambiguous", `more than one running VM is named ${this.vmName}`, {
        vmName: this.vmName,
        worldIds: mine.map((vm) => vm.worldId),
      });
    }
    const world = mine[0];
    if (world === undefined) {
      throw esxiError(
        "DEVICE_REJECTED",
        "vm-not-running",
        `guest ${this.vmName} on ${this.#host.hostId} is not running (no world): NMI impossible`,
        { vmName: this.vmName, target: this.#host.hostId },
      );
    }
    return world.worldId;
  }

  /** The VM's id on the host, from the cache or a fresh `getallvms`. */
  async vmid(options: CallOptions = {}): Promise<number> {
    return this.#resolveVmid(this.#step(options), false);
  }

  /** Drops the cached vmid (the next call re-reads getallvms). */
  forget(): void {
    this.#cached = undefined;
  }

  async close(): Promise<void> {
    // The EsxiHost is shared by every guest on the host; its owner closes it.
  }

  async #power(op: VmPowerOp, options: CallOptions): Promise<void> {
    const result = await this.#onVm(this.#step(options), (vmid, t) =>
      this.#host.exec(this.#host.commands.power(op, vmid), t),
    );
    const failed = result.stdout.split(/\r?\n/).find((line) => /\bfailed\b/i.test(line));
    if (failed !== undefined) {
      throw esxiError("DEVICE_REJECTED", "command-failed", `${result.command}: ${failed.trim()}`, {
        target: this.#host.hostId,
        command: result.command,
        stdout: result.stdout,
        stderr: result.stderr,
      });
    }
  }

  /**
   * Runs a per-VM command; a NotFound fault on a cached vmid re-reads getallvms and retries once.
   * Faults are recognized whatever the exit status (vim-cmd versions differ there).
   */
  async #onVm(
    step: Step,
    run: (vmid: number, options: CallOptions) => Promise<ExecResult>,
  ): Promise<ExecResult> {
    for (let attempt = 0; ; attempt++) {
      const fromCache = this.#fresh() !== undefined;
      const vmid = await this.#resolveVmid(step, false);
      const result = await run(vmid, this.#callOptions(step));
      const fault = parseVimFault(`${result.stdout}\n${result.stderr}`);
      if (fault?.type === "NotFound") {
        this.forget();
        if (fromCache && attempt === 0) continue;
        throw this.#notFound({ vmid, fault: fault.msg });
      }
      if (fault !== undefined) {
        throw esxiError(
          "DEVICE_REJECTED",
          "vim-fault",
          `${result.command} on ${this.#host.hostId}: ${fault.type}${fault.msg ? `: ${fault.msg}` : ""}`,
          {
            target: this.#host.hostId,
            command: result.command,
            fault: fault.type,
            msg: fault.msg,
            exitCode: result.code,
          },
        );
      }
      return expectSuccess(result, this.#host.hostId);
    }
  }

  async #resolveVmid(step: Step, force: boolean): Promise<number> {
    const cached = force ? undefined : this.#fresh();
    if (cached !== undefined) return cached;
    const result = expectSuccess(
      await this.#host.exec(this.#host.commands.getAllVms(), this.#callOptions(step)),
      this.#host.hostId,
    );
    const vms = this.#parse(() => parseGetAllVms(result.stdout), result).filter(
      (vm) => vm.name === this.vmName,
    );
    if (vms.length > 1) {
      throw esxiError("DEVICE_REJECTED", "vm-ambiguous", `more than one VM is named ${this.vmName}`, {
        vmName: this.vmName,
        vmids: vms.map((vm) => vm.vmid),
      });
    }
    const vm = vms[0];
    if (vm === undefined) throw this.#notFound({});
    this.#cached = { vmid: vm.vmid, at: Date.now() };
    return vm.vmid;
  }

  #fresh(): number | undefined {
    const c = this.#cached;
    return c !== undefined && Date.now() - c.at < this.#ttl ? c.vmid : undefined;
  }

  #step(options: CallOptions): Step {
    return {
      deadline: Date.now() + (options.timeoutMs ?? this.#host.commandTimeoutMs),
      signal: options.signal,
    };
  }

  #callOptions(step: Step): CallOptions {
    const options: CallOptions = { timeoutMs: Math.max(1, step.deadline - Date.now()) };
    if (step.signal) options.signal = step.signal;
    return options;
  }

  #notFound(details: Record<string, unknown>) {
    return esxiError(
      "DEVICE_NOT_FOUND",
      "vm-not-found",
      `no VM named ${this.vmName} on ${this.#host.hostId}`,
      {
        vmName: this.vmName,
        target: this.#host.hostId,
        ...details,
      },
    );
  }

  #parse<T>(parse: () => T, result: ExecResult): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof OutputParseError) throw this.#badOutput(error.message, result);
      throw error;
    }
  }

  #badOutput(message: string, result: ExecResult) {
    return esxiError("DEVICE_BAD_OUTPUT", "bad-output", `${message} (${this.#host.hostId})`, {
      target: this.#host.hostId,
      command: result.command,
      stdout: result.stdout,
      stderr: result.stderr,
    });
  }
}
