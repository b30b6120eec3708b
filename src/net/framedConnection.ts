import type * as net from 'node:net';
import { encodeControl } from './protocol/controlCodec';
import { ErrorCode, ProtocolError, TeamMessengerError } from './protocol/errors';
import { DataFrameParts, Frame, FrameKind } from './protocol/frame';
import { FrameDecoder, FrameSink } from './protocol/frameDecoder';
import { FlushScheduler, FrameWriter } from './protocol/frameWriter';
import { ClientMessage, RelayMessage } from './protocol/messages';
import type { SlabPool } from './protocol/slabPool';

export interface FramedConnectionHandlers<In> {
  onMessage(message: In): void;
  /** A data frame, its payload in one buffer (joined if it arrived split)… */
  onData?(frame: Frame): void;
  /** …or, when this is given instead, in the pieces it arrived in (the relay forwards them). */
  onDataParts?(frame: DataFrameParts): void;
  /** The peer broke the protocol, or a handler threw: the connection is being closed. */
  onFailure(error: TeamMessengerError): void;
  onClose(): void;
  /** Called with each received chunk's size before it is decoded. */
  beforeChunk?(bytes: number): void;
  /** Called after each received chunk has been decoded and handled, with its size, and after
   *  frames held by a pause were handed out on resume, with 0. */
  afterChunk?(bytes: number): void;
}

export interface FramedConnectionOptions<In> {
  decode(payload: Buffer): In;
  maxPayload: number;
  scheduler: FlushScheduler;
  /** Where the socket may read into a reused buffer instead of a new buffer per read. */
  sharedReads?: SharedReads;
}

/**
 * A reused read buffer some sockets can read into (the relay's plain TCP connections). A read
 * is then only valid while it is handled: the decoder copies what it keeps, data payloads into
 * slabs of `pool`.
 */
export interface SharedReads {
  readonly pool: SlabPool;
  /** Makes `socket` hand each read to `onRead` (valid during the call only) instead of emitting
   *  'data'; false when it cannot, and the socket emits 'data' as before. Before any read. */
  adopt(socket: net.Socket, onRead: ReadCallback): boolean;
  /** Where an adopted socket's reads go from now on; undefined drops them. */
  redirect(socket: net.Socket, onRead: ReadCallback | undefined): void;
}

/** One read: its first `bytes` bytes of `buffer`. */
export type ReadCallback = (bytes: number, buffer: Buffer) => void;

/** 'close' follows a socket error and reports it; the reason is already known or is a reset.
 *  One function for every socket rather than one each. */
function ignoreSocketError(): void {}

/** How long a closing connection may take to flush its last frames before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/**
 * One socket speaking the frame protocol: decodes what arrives, batches what leaves. The relay
 * and the client both use it, each with the schema for what the other side sends.
 *
 * A relay holds one per connection (10,000 idle ones), so it keeps its closures to the two the
 * socket needs: one for reads and one for 'close'. Its decoder calls it as a FrameSink.
 */
export class FramedConnection<In extends ClientMessage | RelayMessage, Out extends ClientMessage | RelayMessage> implements FrameSink {
  readonly writer: FrameWriter;
  private readonly decoder: FrameDecoder;
  private closing = false;
  private closed = false;
  /** Set when the socket reads into the shared buffer rather than emitting 'data'… */
  private readonly onRead: ReadCallback | undefined;
  /** …and otherwise its 'data' listener. */
  private readonly onData: ((chunk: Buffer) => void) | undefined;

  constructor(
    readonly socket: net.Socket,
    private readonly options: FramedConnectionOptions<In>,
    private readonly handlers: FramedConnectionHandlers<In>,
  ) {
    this.writer = new FrameWriter(socket, options.scheduler);
    const onRead: ReadCallback | undefined = options.sharedReads ? (bytes, buffer) => this.receive(buffer.subarray(0, bytes)) : undefined;
    this.onRead = onRead && options.sharedReads!.adopt(socket, onRead) ? onRead : undefined;
    if (!this.onRead) socket.on('data', (this.onData = (chunk: Buffer) => this.receive(chunk)));
    // The decoder calls this connection as its sink. When the handlers take no parts (a client),
    // it gets a sink without onDataParts instead, and data frames come joined, to onFrame.
    const sink: FrameSink = handlers.onDataParts ? this : { onFrame: (frame) => this.onFrame(frame) };
    this.decoder = new FrameDecoder(sink, {
      maxPayload: options.maxPayload,
      ...(this.onRead ? { transientChunks: options.sharedReads!.pool } : {}),
    });
    socket.setNoDelay(true);
    socket.on('error', ignoreSocketError);
    socket.on('close', () => {
      this.closed = true;
      this.handlers.onClose();
    });
  }

  get isOpen(): boolean {
    return !this.closing && !this.closed;
  }

  send(message: Out): void {
    if (this.closing || this.closed) return;
    this.writer.write(encodeControl(message));
  }

  /** Queues already-encoded bytes (a frame encoded once for many receivers). */
  sendEncoded(bytes: Buffer): void {
    if (this.closing || this.closed) return;
    this.writer.write(bytes);
  }

  /** Queues one frame already encoded in pieces (see encodeControlWithList). */
  sendEncodedParts(parts: readonly Buffer[]): void {
    if (this.closing || this.closed) return;
    this.writer.writeParts(parts);
  }

  /** Queues already-encoded bytes that may wait a few milliseconds to share a write (acks). */
  sendEncodedLazy(bytes: Buffer): void {
    if (this.closing || this.closed) return;
    this.writer.writeLazy(bytes);
  }

  /**
   * Ends the connection after flushing what is queued. `last` is written first when given
   * (an error or a shutdown notice). Stops reading at once: nothing more from this peer counts.
   */
  close(last?: Out): void {
    if (this.closing || this.closed) return;
    if (last) this.writer.write(encodeControl(last));
    this.closing = true;
    this.stopReading();
    this.writer.flush();
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  /**
   * Stops reading, and stops handing out frames after the one being handled: the rest of the
   * read waits, in order, for `resumeReading`. A relay pauses a sender this way the moment its
   * receiver falls behind, or to give other connections a turn in the middle of a long read.
   */
  pauseReading(): void {
    this.socket.pause();
    this.decoder.pause();
  }

  /** Hands out the frames held since `pauseReading`, then reads again, unless a handler paused
   *  it once more meanwhile. */
  resumeReading(): void {
    try {
      this.decoder.resume();
    } catch (err) {
      this.fail(err);
      return;
    }
    this.handlers.afterChunk?.(0);
    if (this.decoder.paused || this.closing || this.closed) return;
    this.socket.resume();
  }

  /** Drops the connection now, queued data and all (a consumer too slow to be worth waiting for). */
  destroy(): void {
    this.closing = true;
    this.stopReading();
    this.socket.destroy();
  }

  private stopReading(): void {
    if (this.onRead) this.options.sharedReads!.redirect(this.socket, undefined);
    else this.socket.off('data', this.onData!);
  }

  private receive(chunk: Buffer): void {
    this.handlers.beforeChunk?.(chunk.length);
    try {
      this.decoder.push(chunk);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.handlers.afterChunk?.(chunk.length);
  }

  /** FrameSink: a complete frame from the decoder. */
  onFrame(frame: Frame): void {
    if (this.closing) return;
    if (frame.kind === FrameKind.Control) {
      if (frame.stream !== 0 || frame.flags !== 0) {
        throw new ProtocolError(ErrorCode.BadFrameFlags, 'control frames use stream 0 and no flags');
      }
      this.handlers.onMessage(this.options.decode(frame.payload));
    } else if (this.handlers.onData) {
      this.handlers.onData(frame);
    } else {
      throw new ProtocolError(ErrorCode.UnexpectedMessage, 'data frames are not expected here');
    }
  }

  /** FrameSink: a data frame in the pieces it arrived in (only when the handlers take parts). */
  onDataParts(frame: DataFrameParts): void {
    if (!this.closing) this.handlers.onDataParts!(frame);
  }

  private fail(err: unknown): void {
    const error =
      err instanceof TeamMessengerError
        ? err
        : new TeamMessengerError(ErrorCode.Internal, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    this.handlers.onFailure(error);
  }
}
