import type * as net from 'node:net';

/**
 * Per-socket write batching for the load generator: everything queued for one socket in one
 * event-loop turn goes out as one write(), like the relay's own FrameWriter does. The pacer
 * calls flushAll() at the end of each of its turns; a setImmediate catches anything else.
 */
const dirty = new Set<Outbox>();
let scheduled = false;

export function flushAll(): void {
  scheduled = false;
  if (dirty.size === 0) return;
  const boxes = [...dirty];
  dirty.clear();
  for (const box of boxes) box.flush();
}

export class Outbox {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(readonly socket: net.Socket) {}

  /** Bytes accepted here or by the socket but not yet handed to the kernel. */
  get backlog(): number {
    return this.bytes + this.socket.writableLength;
  }

  push(chunk: Buffer): void {
    this.parts.push(chunk);
    this.bytes += chunk.length;
    dirty.add(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    const bytes = this.bytes;
    this.parts = [];
    this.bytes = 0;
    if (this.socket.destroyed) return;
    if (parts.length === 1) this.socket.write(parts[0]);
    else if (bytes <= 256 * 1024) this.socket.write(Buffer.concat(parts, bytes));
    else {
      this.socket.cork();
      for (const p of parts) this.socket.write(p);
      this.socket.uncork();
    }
  }
}
