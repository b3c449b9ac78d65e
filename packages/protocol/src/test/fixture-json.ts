// JSON form of decoded messages for the golden fixtures: bytes become {"$hex": "..."}.
import { fromHex, toHex } from "../fields.js";

export function toFixtureJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? { $hex: toHex(v) } : v), 2)}\n`;
}

export function fromFixtureJson(text: string): unknown {
  return JSON.parse(text, (_k, v) =>
    v &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof v.$hex === "string"
      ? fromHex(v.$hex)
      : v,
  );
}

/** Hex dump, 16 bytes a line, bytes separated by spaces (the .hex fixture format). */
export function toHexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    lines.push(Array.from(bytes.subarray(i, i + 16), (b) => b.toString(16).padStart(2, "0")).join(" "));
  }
  return `${lines.join("\n")}\n`;
}

export function fromHexDump(text: string): Uint8Array {
  return fromHex(text.replace(/#.*$/gm, "").replace(/\s+/g, ""));
}
