// The daemon's event logs, as the manual lists them: eventlog* (everything), altlog* (warnings:
// abnormal but running), errlog* (errors), initlog* (start-up and shutdown). Lines are pino JSON
// with an injected timestamp, written to generation-numbered files.

import pino, { type Logger } from "pino";
import { GenerationFile, type GenerationFileHealth, type GenerationFileOptions } from "./generation-file.js";

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
  /** Lines lost per file since start (a full or failing log directory). */
  health(): Record<string, GenerationFileHealth>;
  close(): void;
}

/**
 * Reporters for a log file that cannot be written: the failure goes to the system sink (journal),
 * since the log directory itself may be what is full; the recovery also goes to `after`, called
 * once the write that recovered has returned (a line in the event log saying how many were lost).
 */
export function logFileReports(
  system: ((line: string) => void) | undefined,
  after?: (lost: number, file: string) => void,
): Pick<GenerationFileOptions, "onError" | "onRecover"> {
  const say = (fields: Record<string, unknown>, msg: string) =>
    system?.(JSON.stringify({ level: 40, time: new Date().toISOString(), ...fields, msg }));
  return {
    onError: (error, file) =>
      say(
        { file, err: (error as NodeJS.ErrnoException).code ?? error.message },
        "log file cannot be written: lines are lost until it can (haconnd keeps running)",
      ),
    onRecover: (lost, file) => {
      say({ file, lost }, "log file writable again");
      if (after) setImmediate(() => after(lost, file));
    },
  };
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
  const system = options.system;
  let eventRef: Logger | undefined;
  const reports = logFileReports(system, (lost, file) =>
    eventRef?.warn({ file, lost }, "log lines were lost while the log file could not be written"),
  );
  const files = {
    event: new GenerationFile({ ...common, ...reports, base: "eventlog" }),
    alt: new GenerationFile({ ...common, ...reports, base: "altlog" }),
    err: new GenerationFile({ ...common, ...reports, base: "errlog" }),
    init: new GenerationFile({ ...common, ...reports, base: "initlog" }),
  };
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
  eventRef = event;
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
    health: () => Object.fromEntries(Object.values(files).map((f) => [f.path(f.generation), f.health])),
    close() {
      for (const f of Object.values(files)) f.close();
    },
  };
}
