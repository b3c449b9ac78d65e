// Control-socket wire format (CLI <-> haconnd over a UNIX socket): one JSON object per line.
//   request:  {"v":1,"id":<int>,"op":"<name>","args":{...}}
//   response: {"v":1,"id":<int>,"ok":true,"result":...} | {"v":1,"id":<int>,"ok":false,"error":{"code","message"}}
// Lines are bounded; a malformed line gets an error response (id 0), never a crash.

export const CONTROL_VERSION = 1;
export const MAX_CONTROL_LINE = 1024 * 1024;

export interface ControlRequest {
  v: 1;
  id: number;
  op: string;
  args: Record<string, unknown>;
}

export type ControlResponse =
  | { v: 1; id: number; ok: true; result: unknown }
  | { v: 1; id: number; ok: false; error: { code: string; message: string } };

export type ParsedRequest =
  | { ok: true; request: ControlRequest }
  | { ok: false; code: string; message: string };

export function parseRequest(line: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, code: "CONTROL_BAD_JSON", message: "request is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, code: "CONTROL_BAD_REQUEST", message: "request must be an object" };
  }
  const r = value as Record<string, unknown>;
  if (r.v !== CONTROL_VERSION) {
    return { ok: false, code: "CONTROL_VERSION", message: `unsupported control version ${String(r.v)}` };
  }
  if (!Number.isSafeInteger(r.id) || (r.id as number) < 1) {
    return { ok: false, code: "CONTROL_BAD_REQUEST", message: "id must be a positive integer" };
  }
  if (typeof r.op !== "string" || !/^[a-z][a-zA-Z0-9.]{0,63}$/.test(r.op)) {
    return { ok: false, code: "CONTROL_BAD_REQUEST", message: "op must be a command name" };
  }
  const args = r.args ?? {};
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    return { ok: false, code: "CONTROL_BAD_REQUEST", message: "args must be an object" };
  }
  return { ok: true, request: { v: 1, id: r.id as number, op: r.op, args: args as Record<string, unknown> } };
}

export function encode(message: ControlRequest | ControlResponse): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a byte stream into lines, refusing any line longer than the bound. */
export class LineSplitter {
  private buffer = "";
  constructor(private readonly maxLine = MAX_CONTROL_LINE) {}

  /** Returns complete lines; throws RangeError when a line exceeds the bound. */
  push(chunk: string): string[] {
    this.buffer += chunk;
    const lines = this.buffer.split("\n");
    this.buffer = lines.pop() ?? "";
    if (this.buffer.length > this.maxLine) throw new RangeError("control line too long");
    return lines.filter((l) => l.length > 0);
  }
}
