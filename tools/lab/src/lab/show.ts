// The real `haconnshow` against the lab's haconnd (the lab's HACONN_ETC/LOG/RUN_DIR).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { labPaths } from "./paths.js";

const run = promisify(execFile);

/** The environment the product's commands need to find the lab's configuration and daemon. */
export function productEnv(dir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const p = labPaths(dir);
  return { ...base, HACONN_ETC_DIR: p.etc, HACONN_LOG_DIR: p.log, HACONN_RUN_DIR: p.run };
}

export async function haconnshow(
  bin: string,
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(bin, "haconnshow"), args, {
      env: productEnv(dir),
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

export interface ServerStatusJson {
  servers: { name: string; power: string; bmc: string; ipdu: string; vmware: string }[];
}

export async function serverStatus(bin: string, dir: string): Promise<ServerStatusJson | undefined> {
  const r = await haconnshow(bin, dir, ["status", "--json"]);
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as ServerStatusJson;
  } catch {
    return undefined;
  }
}
