import * as net from 'node:net';
import type { TransientReads } from '../net/framedConnection';
import { SlabPool } from '../net/slabPool';

/** As big as the buffer Node allocates for each read of its own. */
const READ_BYTES = 64 * 1024;

interface SocketInternals {
  _handle?: { useUserBuffer?: unknown } | null;
}

/**
 * Accepted sockets that read into one buffer the relay reuses, instead of a new buffer per read.
 *
 * Why: Node allocates a fresh buffer for every read and V8 counts that memory towards its
 * collection limits, so at file speeds (hundreds of MB/s) the relay marked and compacted its heap
 * every few dozen milliseconds — pauses that every chat message arriving meanwhile waited for.
 * With one reused buffer, file data is copied once into slabs that are reused as well
 * (FrameDecoder's `transientChunks`), and a read allocates nothing.
 *
 * How: Node offers reads into a buffer of one's own (`onread`) for sockets it connects, not for
 * sockets a server accepts. The same is had by moving the accepted socket's handle into a new
 * Socket built with `onread` — in the 'connection' listener, before any read can have happened.
 * That uses one private field (`_handle`), looked for first: where it is not there (another
 * runtime, a future Node), the socket is left as it is and reads as before.
 *
 * One buffer serves every socket: a read's callback runs to its end before the next read.
 */
export class SharedReadBuffer {
  readonly pool = new SlabPool();
  private readonly buffer = Buffer.allocUnsafeSlow(READ_BYTES);

  /** The socket to use from now on, and where its reads go; undefined: use `accepted` as it is. */
  adopt(accepted: net.Socket): { socket: net.Socket; reads: TransientReads } | undefined {
    const internals = accepted as unknown as SocketInternals;
    const handle = internals._handle;
    if (!handle || typeof handle.useUserBuffer !== 'function') return undefined;
    let reader: ((chunk: Buffer) => void) | undefined;
    internals._handle = null;
    const socket = new net.Socket({
      handle,
      onread: { buffer: this.buffer, callback: (bytes: number, buffer: Uint8Array) => void reader?.((buffer as Buffer).subarray(0, bytes)) },
    } as net.SocketConstructorOpts);
    // The handle lives on in `socket`; this only settles the server's count of its connections.
    accepted.destroy();
    return {
      socket,
      reads: {
        pool: this.pool,
        setReader: (next) => {
          reader = next;
        },
      },
    };
  }
}
