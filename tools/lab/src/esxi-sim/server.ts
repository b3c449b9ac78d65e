// An ESXi host on the ssh2 server API: password and keyboard-interactive authentication,
// vim-cmd / esxcli / vmdumper answered by EsxiSimHost, and failure injection (refused auth,
// failing or slow commands, dropped connections, a new host key). Listens on 127.0.0.1 only.
import { once } from "node:events";
import { readdirSync, statSync } from "node:fs";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { publicKeyLineFingerprint } from "@haconn/esxi";
import ssh2 from "ssh2";
import type { AuthContext, ClientInfo, Connection, ServerChannel } from "ssh2";
import { type EsxiSimAnswer, type EsxiSimGuestSpec, EsxiSimHost } from "./model.js";

export type EsxiSimAuthMethod = "password" | "keyboard-interactive";

export interface EsxiSimOptions {
  guests: readonly EsxiSimGuestSpec[];
  username?: string;
  /** The account's password (the simulator's own; tests make one up). */
  password: string;
  /** Offered methods; ESXi's default sshd offers keyboard-interactive (and often password). */
  authMethods?: readonly EsxiSimAuthMethod[];
  /** 0 = a free port. */
  port?: number;
  /** Address to listen on (default 127.0.0.1); another one only inside a network namespace of the lab's own. */
  address?: string;
  /** OpenSSH private key text; default: a new ed25519 key. */
  hostKey?: string;
}

export interface EsxiSimFailure {
  /** Commands matching this fail (every time, or `times` times). */
  match: RegExp;
  times?: number;
  code?: number;
  stdout?: string;
  stderr?: string;
}

export interface EsxiSimCommandRecord {
  at: number;
  connection: number;
  command: string;
}

export interface EsxiSimAuthRecord {
  at: number;
  method: string;
  username: string;
  accepted: boolean;
}

/**
 * A new ed25519 host key. ssh2 1.17's generator emits, about once in 200 keys, a private key
 * its own parser rejects ("Malformed OpenSSH private key"): such keys are drawn again.
 */
export function esxiSimGenerateHostKey(): { privateKey: string; publicKey: string; fingerprint: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const keys = ssh2.utils.generateKeyPairSync("ed25519");
    if (ssh2.utils.parseKey(keys.private) instanceof Error) continue;
    const fingerprint = publicKeyLineFingerprint(keys.public);
    if (fingerprint === undefined) throw new Error("generated key has no public blob");
    return { privateKey: keys.private, publicKey: keys.public, fingerprint };
  }
  throw new Error("could not generate a parseable ed25519 host key");
}

export class EsxiSim {
  readonly host: EsxiSimHost;
  readonly commands: EsxiSimCommandRecord[] = [];
  readonly auths: EsxiSimAuthRecord[] = [];
  /** Refuse every authentication attempt. */
  refuseAuth = false;
  /** Delay before answering each command, in ms (per-command delays below add to it). */
  delayMs = 0;
  readonly delays: { match: RegExp; ms: number }[] = [];
  readonly failures: EsxiSimFailure[] = [];
  /** Drop the connection (socket destroyed, no answer) when a command matches. */
  dropOn: RegExp | undefined;
  #username: string;
  #password: string;
  #methods: readonly EsxiSimAuthMethod[];
  #net: NetServer;
  #ssh!: InstanceType<typeof ssh2.Server>;
  #fingerprint = "";
  #addr = "127.0.0.1";
  #sockets = new Map<number, Socket>();
  /** Remote port → connection id and socket (how an ssh2 connection finds its socket). */
  #byPort = new Map<number, { id: number; socket: Socket }>();
  #nextConnection = 1;
  #activeExecs = 0;
  #maxActiveExecs = 0;
  #connections = 0;

  private constructor(options: EsxiSimOptions) {
    this.host = new EsxiSimHost(options.guests);
    this.#username = options.username ?? "root";
    this.#password = options.password;
    this.#methods = options.authMethods ?? ["password", "keyboard-interactive"];
    this.#net = createServer((socket) => this.#accept(socket));
    this.setHostKey(options.hostKey);
  }

  static async start(options: EsxiSimOptions): Promise<EsxiSim> {
    const address = options.address ?? "127.0.0.1";
    if (!address.startsWith("127.") && !inOwnNetns())
      throw new Error(
        `esxi-sim listens on loopback only (or inside a network namespace of its own), not ${address}`,
      );
    const sim = new EsxiSim(options);
    sim.#addr = address;
    sim.#net.listen(options.port ?? 0, address);
    await once(sim.#net, "listening");
    return sim;
  }

  get port(): number {
    const address = this.#net.address();
    if (address === null || typeof address === "string") throw new Error("esxi-sim not listening");
    return address.port;
  }

  get addr(): string {
    return this.#addr;
  }

  /** `SHA256:…` of the current host key, as `ssh-keygen -lf` prints it. */
  get fingerprint(): string {
    return this.#fingerprint;
  }

  /** ssh connections accepted so far. */
  get connections(): number {
    return this.#connections;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Most exec channels that ran at the same time. */
  get maxConcurrentExecs(): number {
    return this.#maxActiveExecs;
  }

  /** New connections are served with this key (default: a fresh ed25519 key). */
  setHostKey(privateKey?: string): string {
    let key = privateKey;
    if (key === undefined) {
      const generated = esxiSimGenerateHostKey();
      key = generated.privateKey;
      this.#fingerprint = generated.fingerprint;
    } else {
      const parsed = ssh2.utils.parseKey(key);
      if (parsed instanceof Error) throw parsed;
      const pub = Array.isArray(parsed) ? parsed[0] : parsed;
      if (!pub) throw new Error("no key in hostKey");
      this.#fingerprint =
        publicKeyLineFingerprint(`${pub.type} ${pub.getPublicSSH().toString("base64")}`) ?? "";
    }
    this.#ssh = new ssh2.Server({ hostKeys: [key] }, (client, info) => this.#serve(client, info));
    return this.#fingerprint;
  }

  /** Ends every open connection at once, without an ssh goodbye (as a crashed host would). */
  dropConnections(): void {
    for (const socket of this.#sockets.values()) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#net.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    const id = this.#nextConnection++;
    this.#connections++;
    const remotePort = socket.remotePort ?? 0;
    this.#sockets.set(id, socket);
    this.#byPort.set(remotePort, { id, socket });
    socket.on("close", () => {
      this.#sockets.delete(id);
      if (this.#byPort.get(remotePort)?.id === id) this.#byPort.delete(remotePort);
    });
    socket.on("error", () => undefined);
    socket.setNoDelay(true);
    this.#ssh.injectSocket(socket);
  }

  #serve(client: Connection, info: ClientInfo): void {
    const link = this.#byPort.get(info.port);
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => this.#authenticate(ctx));
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (accept, _reject, exec) => {
          this.#exec(exec.command, accept(), link?.socket, link?.id ?? 0);
        });
      });
    });
  }

  #authenticate(ctx: AuthContext): void {
    const offered = [...this.#methods];
    const record = (accepted: boolean): void => {
      this.auths.push({ at: Date.now(), method: ctx.method, username: ctx.username, accepted });
      if (accepted) ctx.accept();
      else ctx.reject(offered);
    };
    const userOk = ctx.username === this.#username && !this.refuseAuth;
    if (ctx.method === "password" && offered.includes("password")) {
      record(userOk && ctx.password === this.#password);
    } else if (ctx.method === "keyboard-interactive" && offered.includes("keyboard-interactive")) {
      ctx.prompt([{ prompt: "Password: ", echo: false }], "", "", (answers) =>
        record(userOk && answers.length === 1 && answers[0] === this.#password),
      );
    } else {
      ctx.reject(offered);
    }
  }

  #exec(command: string, channel: ServerChannel, socket: Socket | undefined, connection: number): void {
    this.commands.push({ at: Date.now(), connection, command });
    this.#activeExecs++;
    this.#maxActiveExecs = Math.max(this.#maxActiveExecs, this.#activeExecs);
    let open = true;
    const finished = (): void => {
      if (open) this.#activeExecs--;
      open = false;
    };
    channel.on("close", finished);
    if (this.dropOn?.test(command)) {
      socket?.destroy();
      return;
    }
    const delay =
      this.delayMs + this.delays.filter((d) => d.match.test(command)).reduce((n, d) => n + d.ms, 0);
    const answer = (): void => {
      if (!open) return;
      const reply = this.#answer(command);
      if (reply.stdout) channel.write(reply.stdout);
      if (reply.stderr) channel.stderr.write(reply.stderr);
      channel.exit(reply.code);
      channel.end();
      finished();
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  }

  #answer(command: string): EsxiSimAnswer {
    const failure = this.failures.find(
      (f) => f.match.test(command) && (f.times === undefined || f.times > 0),
    );
    if (failure) {
      if (failure.times !== undefined) failure.times--;
      return { stdout: failure.stdout ?? "", stderr: failure.stderr ?? "", code: failure.code ?? 1 };
    }
    return this.host.run(command);
  }
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
