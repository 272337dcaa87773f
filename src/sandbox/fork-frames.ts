/** Channels of the fork server's frames (see fork_worker.py). */
export const frameChannel = { pid: 0, stdout: 1, stderr: 2, report: 3 } as const;

const headerBytes = 5;

/**
 * Splits the bytes a fork-server worker sends into frames: a channel byte, a big-endian u32
 * length, then that many bytes. Chunks may cut a frame anywhere.
 */
export class FrameReader {
  #pending: Buffer = Buffer.alloc(0);

  constructor(readonly onFrame: (channel: number, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    let buffer = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (buffer.length >= headerBytes) {
      const length = buffer.readUInt32BE(1);
      if (buffer.length < headerBytes + length) break;
      this.onFrame(buffer[0]!, buffer.subarray(headerBytes, headerBytes + length));
      buffer = buffer.subarray(headerBytes + length);
    }
    this.#pending = buffer;
  }

  /** Bytes of an unfinished frame (non-zero when the connection ended mid-frame). */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}
