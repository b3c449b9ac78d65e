// Opens one authenticated ssh2 connection to an ESXi host: host key check first, then password
// and keyboard-interactive authentication (ESXi's sshd usually offers only the latter). Every
// failure becomes a DriverError saying why. The password is handed to ssh2 only.
import type { DriverError } from "@haconn/config";
import ssh2 from "ssh2";
import type { AnyAuthMethod, Client as SshClient, ConnectConfig, Prompt } from "ssh2";
import { esxiError } from "./errors.js";
import { hostKeyFingerprint } from "./fingerprint.js";

export interface ConnectParams {
  addr: string;
  port: number;
  username: string;
  password: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Decides on the presented key; a DriverError refuses the connection with that error. */
  verifyHostKey(fingerprint: string): Promise<DriverError | undefined>;
}

export interface OpenConnection {
  client: SshClient;
  fingerprint: string;
}

interface SshError extends Error {
  level?: string;
  code?: string | number;
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "EPIPE",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
]);

/** Maps an ssh2 connect error (before `ready`) to a DriverError. */
export function classifyConnectError(error: SshError, target: string): DriverError {
  const facts = { target, sshLevel: error.level, sshCode: error.code };
  if (error.level === "client-authentication") {
    return esxiError("DEVICE_AUTH", "auth-refused", `ssh authentication refused by ${target}`, facts, error);
  }
  if (error.level === "client-timeout" || error.code === "ETIMEDOUT") {
    return esxiError(
      "DEVICE_TIMEOUT",
      "connect-failed",
      `ssh handshake with ${target} timed out`,
      facts,
      error,
    );
  }
  const code = typeof error.code === "string" && UNREACHABLE_CODES.has(error.code);
  return esxiError(
    "DEVICE_UNREACHABLE",
    "connect-failed",
    `cannot connect to ${target}: ${code ? error.code : error.message}`,
    facts,
    error,
  );
}

/**
 * Cipher and MAC preference: AES-CTR with an encrypt-then-MAC SHA-2 HMAC first. ssh2 without its
 * optional native binding (not built here, nor in the RPM) makes a new cipher object, key schedule
 * included, for every AES-GCM packet: ~58 µs a packet against ~14 µs for CTR + HMAC (Node 24,
 * this VM), and an ESXi command is a dozen packets. GCM stays in the list for hosts without CTR;
 * ESXi 7/8 and OpenSSH offer both. No weaker algorithm is added (CBC, SHA-1 stay off, as ssh2's
 * defaults have them).
 */
export const SSH_ALGORITHMS: NonNullable<ConnectConfig["algorithms"]> = {
  cipher: [
    "aes128-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
  ],
  hmac: ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"],
};

export function openConnection(params: ConnectParams): Promise<OpenConnection> {
  const target = `${params.addr}:${params.port}`;
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let settled = false;
    let fingerprint = "";
    let refusal: DriverError | undefined;
    const fail = (error: DriverError): void => {
      if (settled) return;
      settled = true;
      client.removeAllListeners("ready");
      client.on("error", () => undefined); // late socket errors after we gave up
      client.end();
      client.destroy();
      reject(error);
    };
    const answer = (prompts: Prompt[], finish: (answers: string[]) => void): void => {
      finish(prompts.map(() => params.password));
    };
    const methods: AnyAuthMethod[] = [
      { type: "password", username: params.username, password: params.password },
      {
        type: "keyboard-interactive",
        username: params.username,
        prompt: (_name, _instructions, _lang, prompts, finish) => answer(prompts, finish),
      },
    ];
    const config: ConnectConfig = {
      host: params.addr,
      port: params.port,
      username: params.username,
      algorithms: SSH_ALGORITHMS,
      readyTimeout: params.connectTimeoutMs,
      keepaliveInterval: params.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void): void => {
        fingerprint = hostKeyFingerprint(key);
        params.verifyHostKey(fingerprint).then(
          (error) => {
            refusal = error;
            verify(error === undefined);
          },
          (error: unknown) => {
            refusal = esxiError(
              "DEVICE_AUTH",
              "hostkey-mismatch",
              `cannot check the host key of ${target}: ${String(error)}`,
              { target, actual: fingerprint },
              error,
            );
            verify(false);
          },
        );
      },
      authHandler: methods,
    };
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      resolve({ client, fingerprint });
    });
    client.on("error", (error: SshError) => fail(refusal ?? classifyConnectError(error, target)));
    client.once("close", () =>
      fail(
        refusal ??
          esxiError("DEVICE_UNREACHABLE", "connect-failed", `${target} closed the connection during set-up`, {
            target,
          }),
      ),
    );
    try {
      client.connect(config);
      // Commands are small request/answer exchanges: Nagle + delayed ACK would add ~40 ms to
      // each of their round trips.
      client.setNoDelay(true);
    } catch (error) {
      fail(classifyConnectError(error as SshError, target));
    }
  });
}
