// A node's control socket, spoken directly (contract: docs/operations.md "Control socket": one
// JSON object per line, {"v":1,"id","op","args"} -> {"v":1,"id","ok","result"|"error"}). The
// drills sample roles through it many times a second; `lab status` uses the real haconnshow.
import { connect } from "node:net";
import { join } from "node:path";
import { nodePaths } from "./paths.js";
import type { LabNode } from "./pair-topology.js";

export interface NodeStatus {
  node: string;
  link: "OK" | "NG" | "--";
  mservers: { name: string; role: string; status: string }[];
  servers: { name: string; power: string; bmc: string; ipdu: string; vmware: string }[];
}

/** One request; undefined when the node does not answer in time (dead, stopped, starting). */
export function controlCall(socketPath: string, op: string, timeoutMs = 1000): Promise<unknown> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let buffer = "";
    const done = (value: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify({ v: 1, id: 1, op, args: {} })}\n`));
    socket.on("error", () => done(undefined));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf("\n");
      if (nl < 0) return;
      try {
        const r = JSON.parse(buffer.slice(0, nl)) as { ok: boolean; result?: unknown };
        done(r.ok ? r.result : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}

export async function nodeStatus(
  dir: string,
  node: LabNode,
  timeoutMs = 1000,
): Promise<NodeStatus | undefined> {
  const r = (await controlCall(join(nodePaths(dir, node).run, "haconnd.sock"), "status", timeoutMs)) as
    | NodeStatus
    | undefined;
  return r && Array.isArray(r.mservers) ? r : undefined;
}

/** The role a node gives itself ("active", "standby", "---"), undefined when it does not answer. */
export function ownRole(status: NodeStatus | undefined, node: LabNode): string | undefined {
  return status?.mservers.find((m) => m.name === node)?.role;
}
