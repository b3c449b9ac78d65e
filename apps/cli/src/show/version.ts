// haconnshow version (manual §6.6.7, §10): `[OS kind].[major].[minor].[n].[m]` under the
// manual's heading. An installed package stamps the full string into a file its launcher names
// in HACONN_VERSION_FILE; without it (a development tree), OS kind 3/4/5 for RHEL 7/8/9 is read
// from /etc/os-release, 0 on any other system, with this tree's version numbers.
import { readFile } from "node:fs/promises";
import { CliError } from "../errors.js";

export const VERSION_HEADING = "-- HA monitor connector service version --";

/** Product version; [n].[m] are internal management numbers (m keeps its leading zeros). */
export const PRODUCT_VERSION = { major: 0, minor: 1, n: 0, m: "0000" } as const;

const RHEL_LIKE = new Set(["rhel", "centos", "rocky", "almalinux", "ol"]);
const KIND_BY_MAJOR: Record<string, number> = { "7": 3, "8": 4, "9": 5 };

function field(osRelease: string, name: string): string | undefined {
  const match = new RegExp(`^${name}=(.*)$`, "m").exec(osRelease);
  return match?.[1]?.trim().replace(/^["']|["']$/g, "");
}

/** 3, 4, 5 for RHEL 7, 8, 9 (and rebuilds); 0 for anything else or when unknown. */
export function osKind(osRelease: string | undefined): number {
  if (osRelease === undefined) return 0;
  const ids = [field(osRelease, "ID"), ...(field(osRelease, "ID_LIKE") ?? "").split(/\s+/)];
  if (!ids.some((id) => id !== undefined && RHEL_LIKE.has(id))) return 0;
  const major = (field(osRelease, "VERSION_ID") ?? "").split(".")[0] ?? "";
  return KIND_BY_MAJOR[major] ?? 0;
}

export function versionString(kind: number): string {
  const v = PRODUCT_VERSION;
  return `${kind}.${v.major}.${v.minor}.${v.n}.${v.m}`;
}

/** The stamped version: the file's first line, which must look like `[kind].[a].[b].[n].[m]`. */
export async function readVersionFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError("CLI_INPUT", `cannot read the version file ${path}: ${reason}`, { cause: error });
  }
  const version = text.split("\n")[0]!.trim();
  if (!/^\d+(\.\d+){3}\.\w+$/.test(version)) {
    throw new CliError("CLI_INPUT", `the version file ${path} does not hold a version ("${version}")`);
  }
  return version;
}

export function formatVersion(version: string): string {
  return `${VERSION_HEADING}\n\n${version}\n`;
}
