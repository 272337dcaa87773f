/** A growable little-endian byte buffer for building GGUF headers. */
export class ByteWriter {
  private bytes = new Uint8Array(1 << 16);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.bytes.byteLength) {
      let size = this.bytes.byteLength * 2;
      while (size < this.length + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(v: number): void {
    this.view.setUint8(this.reserve(1), v);
  }
  i8(v: number): void {
    this.view.setInt8(this.reserve(1), v);
  }
  u16(v: number): void {
    this.view.setUint16(this.reserve(2), v, true);
  }
  i16(v: number): void {
    this.view.setInt16(this.reserve(2), v, true);
  }
  u32(v: number): void {
    this.view.setUint32(this.reserve(4), v, true);
  }
  i32(v: number): void {
    this.view.setInt32(this.reserve(4), v, true);
  }
  f32(v: number): void {
    this.view.setFloat32(this.reserve(4), v, true);
  }
  f64(v: number): void {
    this.view.setFloat64(this.reserve(8), v, true);
  }
  u64(v: bigint | number): void {
    this.view.setBigUint64(this.reserve(8), BigInt(v), true);
  }
  i64(v: bigint): void {
    this.view.setBigInt64(this.reserve(8), v, true);
  }
  raw(data: Uint8Array): void {
    this.bytes.set(data, this.reserve(data.byteLength));
  }
  /** A GGUF string: u64 byte length, then UTF-8 bytes. */
  string(s: string): void {
    const encoded = Buffer.from(s, "utf8");
    this.u64(encoded.byteLength);
    this.raw(encoded);
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    this.reserve(pad);
    this.bytes.fill(0, this.length - pad, this.length);
  }
  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
