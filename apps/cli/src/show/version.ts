// haconnshow version (manual §10): `[OS kind].[major].[minor].[n].[m]`, OS kind 3/4/5 for
// RHEL 7/8/9 read from /etc/os-release; 0 on any other system (e.g. a Debian development machine).

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
