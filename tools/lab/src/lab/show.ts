// The real `haconnshow` against one of the lab's nodes (that node's HACONN_ETC/LOG/RUN_DIR).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { nodeEnv } from "./nodes.js";
import type { LabNode } from "./pair-topology.js";

const run = promisify(execFile);

export async function haconnshow(
  bin: string,
  dir: string,
  node: LabNode,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(bin, "haconnshow"), args, {
      env: nodeEnv(dir, node),
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof e.code === "number" ? e.code : 1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? e.message,
    };
  }
}
