// Big-endian cursor reader and growable writer. The reader returns undefined when the buffer is
// too short, never throws; the writer is only fed values the encoder has validated.

export class Reader {
  private offset: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.offset = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  u8(): number | undefined {
    if (this.remaining < 1) return undefined;
    const v = this.view.getUint8(this.offset);
    this.offset += 1;
    return v;
  }

  u16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number | undefined {
    if (this.remaining < 4) return undefined;
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  /** Unsigned 64-bit value; returns -1 when it exceeds 2^53 - 1 (the caller reports bad-field). */
  u64(): number | undefined {
    if (this.remaining < 8) return undefined;
    const hi = this.view.getUint32(this.offset);
    const lo = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    if (hi > 0x1f_ffff) return -1;
    return hi * 0x1_0000_0000 + lo;
  }

  bytes(n: number): Uint8Array | undefined {
    if (n < 0 || this.remaining < n) return undefined;
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** u8 length followed by that many bytes, decoded as ASCII (the caller checks the charset). */
  shortString(): string | undefined {
    const n = this.u8();
    if (n === undefined) return undefined;
    const b = this.bytes(n);
    if (b === undefined) return undefined;
    return String.fromCharCode(...b);
  }
}

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private offset = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.offset;
  }

  private reserve(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.offset));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.view.setUint8(this.offset, v);
    this.offset += 1;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.view.setUint16(this.offset, v);
    this.offset += 2;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.offset, v);
    this.offset += 4;
    return this;
  }

  u64(v: number): this {
    this.reserve(8);
    this.view.setUint32(this.offset, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.offset + 4, v >>> 0);
    this.offset += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  shortString(s: string): this {
    this.u8(s.length);
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.offset + i] = s.charCodeAt(i);
    this.offset += s.length;
    return this;
  }

  /** Overwrites a u32 already written (used to patch the body length). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.offset);
  }
}
