// A typed facade over the agent side of npm `net-snmp` (CommonJS, no bundled types): only what
// the PDU simulator uses. Loaded through createRequire so the types stay local to this folder.
import type { Socket } from "node:dgram";
import { createRequire } from "node:module";

export interface AgentMibRequest {
  oid: string;
  operation: number;
  setValue?: unknown;
  /** Set by net-snmp on the second (commit) pass of a SetRequest. */
  commitSet?: boolean;
  instanceNode: { value: unknown };
  done(error?: { errorStatus: number }): void;
}

export interface AgentColumn {
  number: number;
  name: string;
  type: number;
  maxAccess: number;
  constraints?: { enumeration?: Record<string, string> };
}

export interface AgentProvider {
  name: string;
  type: number;
  oid: string;
  maxAccess: number;
  scalarType?: number;
  tableColumns?: AgentColumn[];
  tableIndex?: { columnName: string }[];
  handler?: (request: AgentMibRequest) => void;
}

export interface AgentMib {
  registerProvider(provider: AgentProvider): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
  getTableSingleCell(name: string, column: number, rowIndex: number[]): unknown;
  setTableSingleCell(name: string, column: number, rowIndex: number[], value: unknown): void;
}

export interface SnmpAgent {
  getMib(): AgentMib;
  getAuthorizer(): { addCommunity(community: string): void };
  close(callback?: () => void): void;
  listener: { sockets: Record<string, Socket> };
}

export interface NetSnmpAgentApi {
  createAgent(
    options: { port: number; address: string; transport: "udp4"; disableAuthorization: boolean },
    callback: (error: Error | null) => void,
  ): SnmpAgent;
  ObjectType: { Integer: number; OctetString: number; OID: number; TimeTicks: number };
  MibProviderType: { Scalar: number; Table: number };
  MaxAccess: Record<"read-only" | "read-write" | "not-accessible", number>;
  PduType: { SetRequest: number };
}

export const snmpAgentApi = createRequire(import.meta.url)("net-snmp") as NetSnmpAgentApi;
