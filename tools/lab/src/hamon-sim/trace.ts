// One printed line per exchange: "<ISO time> <who> <-|-> <peer> <TYPE> #<id> [attempt n] <body>".
import type { DuplexMessage, ResetPathMessage } from "@haconn/protocol";

export type HamonSimLog = (line: string) => void;

export function hamonSimTraceLine(
  at: number,
  who: string,
  direction: "->" | "<-",
  peer: string,
  message: ResetPathMessage | DuplexMessage,
): string {
  const h = message.header;
  const attempt = h.attempt > 0 ? ` attempt=${h.attempt}` : "";
  const auth = message.auth ? ` key=${message.auth.keyId}` : "";
  return `${new Date(at).toISOString()} ${who} ${direction} ${peer} ${message.type.toUpperCase()} #${h.requestId}${attempt}${auth} ${JSON.stringify(message.body)}`;
}
