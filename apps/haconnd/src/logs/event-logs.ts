// The daemon's event logs, as the manual lists them: eventlog* (everything), altlog* (warnings:
// abnormal but running), errlog* (errors), initlog* (start-up and shutdown). Lines are pino JSON
// with an injected timestamp, written to generation-numbered files.

import pino, { type Logger } from "pino";
import { GenerationFile } from "./generation-file.js";

export interface EventLogOptions {
  dir: string;
  /** Bytes per generation; default 4 MiB. */
  maxBytes?: number;
  /** Generations per log; default 8. */
  generations?: number;
  /** Epoch milliseconds; injected so tests and the simulation control time. */
  now: () => number;
  /** Extra sink for start/stop/abnormal lines (syslog/journal via stderr under systemd). */
  system?: (line: string) => void;
  /** Node name stamped on every line. */
  node?: string;
}

export interface EventLogs {
  /** General event log; warn and error also reach altlog/errlog. */
  event: Logger;
  /** Start-up and shutdown; also written to eventlog. */
  init: Logger;
  close(): void;
}

function sink(file: GenerationFile): { write(line: string): void } {
  return { write: (line: string) => file.writeLine(line.trimEnd()) };
}

export function openEventLogs(options: EventLogOptions): EventLogs {
  const common = {
    dir: options.dir,
    generations: options.generations ?? 8,
    maxBytes: options.maxBytes ?? 4 * 1024 * 1024,
  };
  const files = {
    event: new GenerationFile({ ...common, base: "eventlog" }),
    alt: new GenerationFile({ ...common, base: "altlog" }),
    err: new GenerationFile({ ...common, base: "errlog" }),
    init: new GenerationFile({ ...common, base: "initlog" }),
  };
  const system = options.system;
  const systemStream = system
    ? [{ level: "warn" as const, stream: { write: (l: string) => system(l.trimEnd()) } }]
    : [];
  const base = {
    base: options.node ? { node: options.node } : null,
    timestamp: () => `,"time":"${new Date(options.now()).toISOString()}"`,
    // Belt and braces: no secret field ever reaches a log line, whatever a caller passes.
    redact: { paths: ["password", "*.password", "community", "*.community", "key", "*.key"], censor: "***" },
  };
  const event = pino(
    base,
    pino.multistream([
      { level: "info", stream: sink(files.event) },
      { level: "warn", stream: sink(files.alt) },
      { level: "error", stream: sink(files.err) },
      ...systemStream,
    ]),
  );
  const init = pino(
    base,
    pino.multistream([
      { level: "info", stream: sink(files.init) },
      { level: "info", stream: sink(files.event) },
      ...(system ? [{ level: "info" as const, stream: { write: (l: string) => system(l.trimEnd()) } }] : []),
    ]),
  );
  return {
    event,
    init,
    close() {
      for (const f of Object.values(files)) f.close();
    },
  };
}
