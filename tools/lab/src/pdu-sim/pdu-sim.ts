// An IBM iPDU on 127.0.0.1: an SNMP v2c agent (npm net-snmp's agent and MIB providers) serving
// system.sysDescr/sysObjectID/sysUpTime, ibmPduSoftwareVersion (.7.3.0), the outlet count
// (.8.2.1.0) and the outlet table (.8.2.2.1: index col 1, name col 2, state col 11 or 13 by
// firmware variant; off 0, on 1, read-write). It enforces the community (a wrong community gets
// no answer, like a real v2c agent), can stop answering or answer slowly, and records every
// outlet write with a timestamp.
import { createSocket, type Socket } from "node:dgram";
import { readdirSync, statSync } from "node:fs";
import { type AgentMibRequest, type SnmpAgent, snmpAgentApi as snmp } from "./agent-api.js";

export const PDU_SIM_ENTERPRISE = "1.3.6.1.4.1.2.6.223";
const OUTLET_ENTRY = `${PDU_SIM_ENTERPRISE}.8.2.2.1`;
const TABLE = "ibmPduOutletTable";

export type PduSimVariant = "col11" | "col13";
export type PduSimState = "on" | "off";

/** Default firmware strings: fence_ipdu's tested release, and the release that moved the column. */
export const PDU_SIM_FIRMWARE: Readonly<Record<PduSimVariant, string>> = {
  col11: "OPDP_sIBM_v01.2_1",
  col13: "OPDP_sIBM_v01.3_3",
};

export interface PduSimOptions {
  /** The only community answered. Read-write. */
  community: string;
  /** Which outlet-table column holds the state (default col13). */
  variant?: PduSimVariant;
  firmware?: string;
  outlets?: number;
  sysObjectId?: string;
  sysDescr?: string;
  initial?: PduSimState;
  /** Loopback address to bind (default 127.0.0.1); another one only inside a network namespace of the lab's own. */
  address?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Timestamp source for transitions (default Date.now). */
  now?: () => number;
}

export interface PduSimTransition {
  outlet: number;
  from: PduSimState;
  to: PduSimState;
  /** `now()` when the write was committed. */
  at: number;
}

const toState = (v: unknown): PduSimState => (v === 1 ? "on" : "off");

export class PduSim {
  readonly address: string;
  readonly port: number;
  readonly variant: PduSimVariant;
  readonly stateColumn: number;
  readonly outlets: number;
  readonly firmware: string;
  /** Datagrams received, answered or not. */
  received = 0;
  readonly #agent: SnmpAgent;
  readonly #now: () => number;
  readonly #transitions: PduSimTransition[] = [];
  #muted = false;
  #delayMs = 0;
  #stopped = false;
  readonly #pending = new Set<NodeJS.Timeout>();

  private constructor(agent: SnmpAgent, port: number, options: Required<Omit<PduSimOptions, "community">>) {
    this.#agent = agent;
    this.port = port;
    this.address = options.address;
    this.variant = options.variant;
    this.stateColumn = options.variant === "col11" ? 11 : 13;
    this.outlets = options.outlets;
    this.firmware = options.firmware;
    this.#now = options.now;
  }

  static async start(options: PduSimOptions): Promise<PduSim> {
    const address = options.address ?? "127.0.0.1";
    if (!address.startsWith("127.") && !inOwnNetns())
      throw new Error(
        `pdu-sim binds loopback only (or inside a network namespace of its own), not ${address}`,
      );
    const variant = options.variant ?? "col13";
    const full = {
      address,
      variant,
      port: options.port ?? 0,
      firmware: options.firmware ?? PDU_SIM_FIRMWARE[variant],
      outlets: options.outlets ?? 12,
      sysObjectId: options.sysObjectId ?? PDU_SIM_ENTERPRISE,
      sysDescr: options.sysDescr ?? `IBM iPDU simulator (haconn lab), ${variant}`,
      initial: options.initial ?? "on",
      now: options.now ?? Date.now,
    };
    for (let attempt = 0; ; attempt++) {
      const port = full.port || (await freeUdpPort(address));
      try {
        const agent = await listen(address, port);
        const sim = new PduSim(agent, port, full);
        sim.#populate(options.community, full);
        sim.#gate();
        return sim;
      } catch (error) {
        if (full.port || attempt >= 5) throw error;
      }
    }
  }

  get target(): string {
    return `${this.address}:${this.port}`;
  }

  /** Copies of the recorded outlet writes that changed a state, oldest first. */
  transitions(): PduSimTransition[] {
    return this.#transitions.map((t) => ({ ...t }));
  }

  outletState(outlet: number): PduSimState {
    return toState(this.#agent.getMib().getTableSingleCell(TABLE, this.stateColumn, [outlet]));
  }

  /** Changes a state locally (as at the PDU's front panel); not recorded as a transition. */
  setOutletState(outlet: number, state: PduSimState): void {
    this.#agent.getMib().setTableSingleCell(TABLE, this.stateColumn, [outlet], state === "on" ? 1 : 0);
  }

  /** Stop answering (requests are dropped unprocessed, as by a dead PDU) or answer again. */
  mute(muted = true): void {
    this.#muted = muted;
  }

  /** Process each request this many ms after it arrived (0 = at once). */
  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
    const sockets = Object.values(this.#agent.listener.sockets);
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #populate(
    community: string,
    o: { firmware: string; outlets: number; sysObjectId: string; sysDescr: string; initial: PduSimState },
  ): void {
    this.#agent.getAuthorizer().addCommunity(community);
    const mib = this.#agent.getMib();
    const { ObjectType: T, MibProviderType: P, MaxAccess: A } = snmp;
    const scalar = (name: string, oid: string, type: number, value: unknown): void => {
      mib.registerProvider({ name, type: P.Scalar, oid, scalarType: type, maxAccess: A["read-only"] });
      mib.setScalarValue(name, value);
    };
    const started = this.#now();
    scalar("sysDescr", "1.3.6.1.2.1.1.1", T.OctetString, o.sysDescr);
    scalar("sysObjectID", "1.3.6.1.2.1.1.2", T.OID, o.sysObjectId);
    mib.registerProvider({
      name: "sysUpTime",
      type: P.Scalar,
      oid: "1.3.6.1.2.1.1.3",
      scalarType: T.TimeTicks,
      maxAccess: A["read-only"],
      handler: (req) => {
        req.instanceNode.value = Math.floor((this.#now() - started) / 10);
        req.done();
      },
    });
    mib.setScalarValue("sysUpTime", 0);
    scalar("ibmPduSoftwareVersion", `${PDU_SIM_ENTERPRISE}.7.3`, T.OctetString, o.firmware);
    scalar("ibmPduOutletCount", `${PDU_SIM_ENTERPRISE}.8.2.1`, T.Integer, o.outlets);
    mib.registerProvider({
      name: TABLE,
      type: P.Table,
      oid: OUTLET_ENTRY,
      maxAccess: A["not-accessible"],
      tableColumns: [
        { number: 1, name: "ibmPduOutletIndex", type: T.Integer, maxAccess: A["read-only"] },
        { number: 2, name: "ibmPduOutletName", type: T.OctetString, maxAccess: A["read-write"] },
        {
          number: this.stateColumn,
          name: "ibmPduOutletState",
          type: T.Integer,
          maxAccess: A["read-write"],
          constraints: { enumeration: { "0": "off", "1": "on" } },
        },
      ],
      tableIndex: [{ columnName: "ibmPduOutletIndex" }],
      handler: (req) => this.#onOutletRequest(req),
    });
    const initial = o.initial === "on" ? 1 : 0;
    for (let n = 1; n <= o.outlets; n++) mib.addTableRow(TABLE, [n, `Outlet ${n}`, initial]);
  }

  #onOutletRequest(req: AgentMibRequest): void {
    const prefix = `${OUTLET_ENTRY}.${this.stateColumn}.`;
    if (req.operation === snmp.PduType.SetRequest && req.commitSet && req.oid.startsWith(prefix)) {
      const outlet = Number(req.oid.slice(prefix.length));
      const from = toState(req.instanceNode.value);
      const to = toState(req.setValue);
      if (from !== to) this.#transitions.push({ outlet, from, to, at: this.#now() });
    }
    req.done();
  }

  /** Interposes mute/delay between the socket and the agent's message handler. */
  #gate(): void {
    for (const socket of Object.values(this.#agent.listener.sockets)) {
      const handlers = socket.listeners("message") as ((msg: Buffer, rinfo: unknown) => void)[];
      socket.removeAllListeners("message");
      socket.on("message", (msg: Buffer, rinfo: unknown) => {
        this.received++;
        if (this.#muted || this.#stopped) return;
        const run = (): void => {
          for (const h of handlers) h(msg, rinfo);
        };
        if (this.#delayMs <= 0) return run();
        const t = setTimeout(() => {
          this.#pending.delete(t);
          if (!this.#muted && !this.#stopped) run();
        }, this.#delayMs);
        this.#pending.add(t);
      });
    }
  }
}

function listen(address: string, port: number): Promise<SnmpAgent> {
  return new Promise((resolve, reject) => {
    let agent: SnmpAgent | undefined;
    let failed: Error | undefined;
    agent = snmp.createAgent({ port, address, transport: "udp4", disableAuthorization: false }, (error) => {
      // Socket errors (bind failures) arrive here; request-processing errors too, ignored.
      if (error && (error as NodeJS.ErrnoException).code === "EADDRINUSE") failed = error;
    });
    const sockets: Socket[] = Object.values(agent.listener.sockets);
    let ready = 0;
    for (const s of sockets) {
      s.once("listening", () => {
        if (++ready === sockets.length) resolve(agent!);
      });
      s.once("error", (error) => {
        failed ??= error;
        agent?.close();
        agent = undefined;
        reject(failed);
      });
    }
  });
}

function freeUdpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, address, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Runs inside a named network namespace (`ip netns add`, as the lab makes): any address is private there. */
function inOwnNetns(): boolean {
  try {
    const self = statSync("/proc/self/ns/net").ino;
    return readdirSync("/run/netns").some((n) => statSync(`/run/netns/${n}`).ino === self);
  } catch {
    return false;
  }
}
