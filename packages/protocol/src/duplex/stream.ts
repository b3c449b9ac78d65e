// Cuts the duplex TCP byte stream into frames. Frames follow each other with no separator; the
// header's bodyLength and AUTH flag give each frame's length. Any drop is fatal for the
// connection (a byte stream cannot resynchronise): the caller closes it, and the peer reconnects
// and receives a fresh SNAPSHOT.
import { FLAG_AUTH, HEADER_SIZE, MAGIC, PROTOCOL_DUPLEX, TRAILER_SIZE, VERSION } from "../constants.js";
import type { DecodeOptions } from "../frame.js";
import { type DecodeResult, type Drop, drop } from "../result.js";
import { type DuplexMessage, decodeDuplex, MAX_STREAM_FRAME } from "./messages.js";

export interface StreamPush {
  messages: DuplexMessage[];
  /** Set once the stream is unusable; later pushes return it again and decode nothing. */
  fatal?: Drop;
}

export class DuplexStreamDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private fatal: Drop | undefined;

  constructor(private readonly options: Omit<DecodeOptions, "now" | "maxLength">) {}

  /** Bytes received and not yet decoded. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array, now: number): StreamPush {
    const messages: DuplexMessage[] = [];
    if (this.fatal) return { messages, fatal: this.fatal };
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      const next = this.nextFrame(now);
      if (next === undefined) break;
      if (!next.ok) {
        this.fatal = next;
        this.chunks = [];
        this.buffered = 0;
        return { messages, fatal: next };
      }
      messages.push(next.value);
    }
    return { messages };
  }

  private nextFrame(now: number): DecodeResult<DuplexMessage> | undefined {
    if (this.buffered < HEADER_SIZE) return undefined;
    const head = this.take(HEADER_SIZE, false);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (view.getUint16(0) !== MAGIC) return drop("bad-magic", "stream out of step");
    if (head[2] !== PROTOCOL_DUPLEX) return drop("wrong-protocol", `protocol ${head[2]}`);
    if (head[3] !== VERSION) return drop("unsupported-version", `version ${head[3]}`);
    const bodyLength = view.getUint32(8);
    const total = HEADER_SIZE + bodyLength + ((head[5]! & FLAG_AUTH) !== 0 ? TRAILER_SIZE : 0);
    if (total > MAX_STREAM_FRAME) return drop("too-long", `frame of ${total} bytes`);
    if (this.buffered < total) return undefined;
    const frame = this.take(total, true);
    return decodeDuplex(frame, { ...this.options, now, maxLength: MAX_STREAM_FRAME });
  }

  /** The first n buffered bytes, as one array; consumed when `consume`. */
  private take(n: number, consume: boolean): Uint8Array {
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.length >= n) {
      out = first.subarray(0, n);
    } else {
      const joined = new Uint8Array(this.buffered);
      let at = 0;
      for (const c of this.chunks) {
        joined.set(c, at);
        at += c.length;
      }
      this.chunks = [joined];
      out = joined.subarray(0, n);
    }
    if (consume) {
      const head = this.chunks[0]!;
      const rest = head.subarray(n);
      this.chunks = rest.length > 0 ? [rest, ...this.chunks.slice(1)] : this.chunks.slice(1);
      this.buffered -= n;
    }
    return out;
  }
}
