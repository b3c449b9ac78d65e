// What a command needs from its process, injected so tests run commands in-process.
import type { BmcSettings } from "@haconn/config";

export interface InputStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface OutputStream {
  write(text: string): unknown;
}

/** Resolves when the BMC answers a power-status query; rejects with the reason otherwise. */
export type BmcChecker = (settings: BmcSettings) => Promise<void>;

export interface CliIo {
  stdin: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Overrides the real iLO check (`ipmitool … chassis power status` through @haconn/bmc). */
  checkBmc?: BmcChecker;
  /** Text of /etc/os-release, or undefined when absent (haconnshow version). */
  readOsRelease?: () => Promise<string | undefined>;
  /** Who runs the command (clilog). Default: unknown. */
  user?: () => { uid: number; name: string };
  /** The wall clock (clilog lines, the haconndump file name). Default: new Date(). */
  now?: () => Date;
}

export const DEFAULT_ETC_DIR = "/etc/opt/hitachi/haconn2";

/** The configuration directory: HACONN_ETC_DIR, else the product's default. */
export function etcDir(env: CliIo["env"]): string {
  const dir = env.HACONN_ETC_DIR;
  return dir !== undefined && dir !== "" ? dir : DEFAULT_ETC_DIR;
}

export const DEFAULT_RUN_DIR = "/run/haconn2";
export const DEFAULT_LOG_DIR = "/var/opt/hitachi/haconn2/log";

const dirFrom = (value: string | undefined, fallback: string) =>
  value !== undefined && value !== "" ? value : fallback;

/** The daemon's control socket: $HACONN_RUN_DIR/haconnd.sock (default /run/haconn2). */
export function controlSocketPath(env: CliIo["env"]): string {
  return `${dirFrom(env.HACONN_RUN_DIR, DEFAULT_RUN_DIR)}/haconnd.sock`;
}

/** The log directory: HACONN_LOG_DIR, else the product's default. */
export function logDir(env: CliIo["env"]): string {
  return dirFrom(env.HACONN_LOG_DIR, DEFAULT_LOG_DIR);
}
