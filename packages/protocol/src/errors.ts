// Encoding errors: our own code passed a value outside the specification. Decoding never throws.

export type ProtocolErrorCode = "PROTOCOL_BAD_VALUE" | "PROTOCOL_TOO_LARGE" | "PROTOCOL_BAD_KEY_FILE";

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";

  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }

  static isInstance(e: unknown): e is ProtocolError {
    return e instanceof Error && e.name === "ProtocolError" && "code" in e;
  }
}
