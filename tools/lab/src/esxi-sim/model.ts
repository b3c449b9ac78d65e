// The simulated host's guests and what each command does to them. No I/O: the ssh server
// (server.ts) feeds command lines in and writes the answers out.
import {
  formatEsxcliProcessList,
  formatGetAllVms,
  formatPowerState,
  formatVmdumperList,
  invalidPowerStateFault,
  notFoundFault,
} from "./outputs.js";

export type EsxiSimPower = "on" | "off" | "suspended";

export interface EsxiSimGuestSpec {
  name: string;
  power?: EsxiSimPower;
  /** Default: 1, 2, 3… in order (ESXi hands out small increasing ids). */
  vmid?: number;
  guestOs?: string;
  /** May hold newlines, as real annotations do. */
  annotation?: string;
}

export interface EsxiSimGuestState {
  vmid: number;
  name: string;
  power: EsxiSimPower;
  guestOs: string;
  annotation: string;
  /** World id of the running VMX, undefined when not running; new at every power-on. */
  worldId: number | undefined;
}

export type EsxiSimAction = "on" | "off" | "reset" | "nmi";

export interface EsxiSimEvent {
  /** Date.now() when the simulator carried the action out. */
  at: number;
  action: EsxiSimAction;
  vmid: number;
  name: string;
  worldId: number | undefined;
}

export interface EsxiSimAnswer {
  stdout: string;
  stderr: string;
  code: number;
}

export class EsxiSimHost {
  readonly guests: EsxiSimGuestState[];
  readonly events: EsxiSimEvent[] = [];
  /** Exit status vim-cmd gives with a printed fault (versions differ: 0 or 1). */
  faultExitCode = 1;
  #nextWorld = 2_098_916;

  constructor(specs: readonly EsxiSimGuestSpec[]) {
    let next = 1;
    this.guests = specs.map((s) => {
      const vmid = s.vmid ?? next;
      next = vmid + 1;
      const power = s.power ?? "on";
      return {
        vmid,
        name: s.name,
        power,
        guestOs: s.guestOs ?? "rhel8_64Guest",
        annotation: s.annotation ?? "",
        worldId: power === "on" ? this.#newWorld() : undefined,
      };
    });
  }

  guest(name: string): EsxiSimGuestState | undefined {
    return this.guests.find((g) => g.name === name);
  }

  /** Changes a guest's power from the outside (as if someone used the console). */
  setPower(name: string, power: EsxiSimPower): void {
    const g = this.guest(name);
    if (!g) throw new Error(`no guest ${name}`);
    if (power !== "on") g.worldId = undefined;
    else if (g.worldId === undefined) g.worldId = this.#newWorld();
    g.power = power;
  }

  /** Unregisters a guest (its vmid disappears), e.g. to test a stale vmid cache. */
  unregister(name: string): void {
    const i = this.guests.findIndex((g) => g.name === name);
    if (i >= 0) this.guests.splice(i, 1);
  }

  /** Registers a guest again under a new vmid. */
  register(spec: EsxiSimGuestSpec): EsxiSimGuestState {
    const vmid = spec.vmid ?? Math.max(0, ...this.guests.map((g) => g.vmid)) + 1;
    const power = spec.power ?? "on";
    const g: EsxiSimGuestState = {
      vmid,
      name: spec.name,
      power,
      guestOs: spec.guestOs ?? "rhel8_64Guest",
      annotation: spec.annotation ?? "",
      worldId: power === "on" ? this.#newWorld() : undefined,
    };
    this.guests.push(g);
    return g;
  }

  /**
   * One command line as ESXi's shell runs it, for the subset the driver sends: a command, or
   * commands joined by `&&` (each runs only if the one before exited 0; the outputs follow each
   * other; the status is the last one run), and `echo` of plain words.
   */
  run(command: string): EsxiSimAnswer {
    const parts = command.split("&&");
    if (parts.length === 1) return this.#runOne(command);
    const answer: EsxiSimAnswer = { stdout: "", stderr: "", code: 0 };
    for (const part of parts) {
      const one = this.#runOne(part);
      answer.stdout += one.stdout;
      answer.stderr += one.stderr;
      answer.code = one.code;
      if (one.code !== 0) break;
    }
    return answer;
  }

  #runOne(command: string): EsxiSimAnswer {
    const words = command.trim().split(/\s+/);
    const tool = (words[0] ?? "").split("/").pop() ?? "";
    const args = words.slice(1);
    if (words[0] === "echo") return ok(`${args.join(" ")}\n`);
    if (tool === "vim-cmd") return this.#vimCmd(args);
    if (tool === "vmdumper") return this.#vmdumper(args);
    if (tool === "esxcli" && args.join(" ") === "vm process list") {
      return ok(formatEsxcliProcessList(this.#running()));
    }
    return { stdout: "", stderr: `sh: ${words[0] ?? ""}: not found\n`, code: 127 };
  }

  #vimCmd(args: string[]): EsxiSimAnswer {
    const [verb, vmidText] = args;
    if (verb === "vmsvc/getallvms" && args.length === 1) return ok(formatGetAllVms(this.guests));
    const op = /^vmsvc\/power\.(getstate|on|off|reset)$/.exec(verb ?? "")?.[1];
    if (op === undefined || vmidText === undefined || args.length !== 2) {
      return { stdout: "", stderr: `Invalid command '${args.join(" ")}'\n`, code: 1 };
    }
    const g = this.guests.find((x) => String(x.vmid) === vmidText);
    if (!g) return { stdout: notFoundFault(vmidText), stderr: "", code: this.faultExitCode };
    if (op === "getstate") return ok(formatPowerState(g));
    if (op === "on") {
      if (g.power === "on") return this.#invalid("Powering on VM:\n", g);
      this.setPower(g.name, "on");
      this.#record("on", g);
      return ok("Powering on VM:\n");
    }
    if (op === "off") {
      if (g.power === "off") return this.#invalid("Powering off VM:\n", g);
      this.setPower(g.name, "off");
      this.#record("off", g);
      return ok("Powering off VM:\n");
    }
    if (g.power !== "on") return this.#invalid("Reset VM:\n", g);
    this.#record("reset", g);
    return ok("Reset VM:\n");
  }

  #vmdumper(args: string[]): EsxiSimAnswer {
    if (args.length === 1 && args[0] === "-l") return ok(formatVmdumperList(this.#running()));
    if (args.length === 2 && args[1] === "nmi" && /^\d+$/.test(args[0] ?? "")) {
      const g = this.#running().find((x) => String(x.worldId) === args[0]);
      if (!g) return { stdout: "", stderr: "Operation failed with error: Invalid world\n", code: 1 };
      this.#record("nmi", g);
      return ok("Sending NMI to guest...\n");
    }
    return { stdout: "", stderr: "Usage: vmdumper [-l | <wid> <action>]\n", code: 1 };
  }

  #invalid(prefix: string, g: EsxiSimGuestState): EsxiSimAnswer {
    return { stdout: prefix + invalidPowerStateFault(g), stderr: "", code: this.faultExitCode };
  }

  #running(): EsxiSimGuestState[] {
    return this.guests.filter((g) => g.worldId !== undefined);
  }

  #record(action: EsxiSimAction, g: EsxiSimGuestState): void {
    this.events.push({ at: Date.now(), action, vmid: g.vmid, name: g.name, worldId: g.worldId });
  }

  #newWorld(): number {
    const id = this.#nextWorld;
    this.#nextWorld += 37;
    return id;
  }
}

function ok(stdout: string): EsxiSimAnswer {
  return { stdout, stderr: "", code: 0 };
}
