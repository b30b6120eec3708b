import type * as net from 'node:net';
import type { ReadCallback, SharedReads } from '../../net/framedConnection';
import { SlabPool } from '../../net/protocol/slabPool';

/** As big as the buffer Node allocates for each read of its own. */
const READ_BYTES = 64 * 1024;

/** The three private Socket fields `onread` sets, found by their names on the first socket. */
interface ReadFields {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

type SocketFields = Record<symbol, unknown> & { _handle?: { useUserBuffer?: (buffer: Buffer) => void } | null };

const dropRead: ReadCallback = () => undefined;

/**
 * Accepted sockets that read into one buffer the relay reuses, instead of a new buffer per read.
 *
 * Why: Node allocates a fresh buffer for every read and V8 counts that memory towards its
 * collection limits, so at file speeds (hundreds of MB/s) the relay marked and compacted its heap
 * every few dozen milliseconds — pauses that every chat message arriving meanwhile waited for.
 * With one reused buffer, file data is copied once into slabs that are reused as well
 * (FrameDecoder's `transientChunks`), and a read allocates nothing.
 *
 * How: Node offers this (`onread`) for sockets it connects, not for sockets a server accepts,
 * though both are the same Socket inside: `onread` only sets three of its fields and tells the
 * handle to read into the buffer. This does the same to an accepted socket, before any read can
 * have happened. The fields are private, so they are looked for first; where one is missing
 * (another runtime, a future Node) the socket is left as it is and reads as before. Moving the
 * handle into a new Socket built with `onread` works too, but the discarded socket cost about
 * 3 KB of memory per connection; this costs one closure.
 *
 * One buffer serves every socket: a read's callback runs to its end before the next read.
 */
export class SharedReadBuffer implements SharedReads {
  readonly pool = new SlabPool();
  private readonly buffer = Buffer.allocUnsafeSlow(READ_BYTES);
  private fields: ReadFields | null | undefined;

  adopt(socket: net.Socket, onRead: ReadCallback): boolean {
    const target = socket as unknown as SocketFields;
    const fields = this.readFields(socket);
    const handle = target._handle;
    if (!fields || !handle || typeof handle.useUserBuffer !== 'function') return false;
    if (target[fields.buffer] !== null || target[fields.generator] !== null) return false; // reads elsewhere already
    target[fields.buffer] = this.buffer;
    target[fields.callback] = onRead;
    handle.useUserBuffer(this.buffer);
    return true;
  }

  redirect(socket: net.Socket, onRead: ReadCallback | undefined): void {
    if (this.fields) (socket as unknown as SocketFields)[this.fields.callback] = onRead ?? dropRead;
  }

  private readFields(socket: net.Socket): ReadFields | null {
    if (this.fields === undefined) {
      const own = Object.getOwnPropertySymbols(socket);
      const find = (name: string) => own.find((symbol) => symbol.description === name);
      const [buffer, callback, generator] = [find('kBuffer'), find('kBufferCb'), find('kBufferGen')];
      this.fields = buffer && callback && generator ? { buffer, callback, generator } : null;
    }
    return this.fields;
  }
}
