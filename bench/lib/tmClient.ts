import * as crypto from 'node:crypto';
import * as net from 'node:net';
import { handshakeTranscript, newNonce, proveSecret } from '../../src/net/protocol/auth';
import { decodeRelayMessage, encodeControl } from '../../src/net/protocol/controlCodec';
import { encodeHeader, Frame, FrameFlag, FrameKind } from '../../src/net/protocol/frame';
import { FrameDecoder } from '../../src/net/protocol/frameDecoder';
import { generateIdentity, Identity } from '../../src/net/identity';
import { ClientMessage, PROTOCOL_VERSION, Targets } from '../../src/net/protocol/messages';
import { makeText, MARK, stampAt, writeDigits } from './common';
import { Outbox } from './outbox';

/**
 * A lean client for the relay that speaks the real protocol: the challenge / signed hello /
 * team-secret proof handshake, control frames encoded by the project's own codec, file
 * transfers with offers, answers, credit and data frames. What it leaves out is what a load
 * generator does not need: it does not validate every incoming frame with zod, does not keep
 * a roster (joined/left/peer/presence frames are skipped by their first bytes), and does not check the
 * relay's proof. Outgoing chat frames are stamped copies of one encoded template.
 */
export interface TmHandlers {
  /** A chat message frame (payload is the JSON, not parsed). */
  onChat?(payload: Buffer): void;
  /** Any other control message that is not roster noise, parsed. */
  onControl?(message: { t: string; [key: string]: unknown }): void;
  onData?(frame: Frame): void;
  onClose?(): void;
}

const B = (s: string) => s.charCodeAt(0);
const C_R = B('r');
const C_M = B('m'),
  C_A = B('a'),
  C_C = B('c'),
  C_J = B('j'),
  C_L = B('l'),
  C_P = B('p'),
  C_E = B('e'),
  C_W = B('w');

export interface TmConnectOptions {
  host: string;
  port: number;
  secret: string;
  name: string;
  identity?: Identity;
  timeoutMs?: number;
}

export class TmClient {
  readonly outbox: Outbox;
  readonly clientId: string;
  private readonly decoder: FrameDecoder;
  private ready = false;
  private closed = false;
  acks = 0;
  chats = 0;

  private constructor(
    readonly socket: net.Socket,
    private readonly identity: Identity,
    private readonly options: TmConnectOptions,
    public handlers: TmHandlers,
    private readonly settle: { resolve(c: TmClient): void; reject(e: Error): void },
  ) {
    this.clientId = clientIdOf(identity);
    this.outbox = new Outbox(socket);
    this.decoder = new FrameDecoder(this.onFrame, { maxPayload: 256 * 1024 * 1024 });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => {
      this.closed = true;
      if (!this.ready) this.settle.reject(new Error('closed before welcome'));
      this.handlers.onClose?.();
    });
  }

  static connect(options: TmConnectOptions, handlers: TmHandlers = {}): Promise<TmClient> {
    const identity = options.identity ?? generateIdentity();
    return new Promise<TmClient>((resolve, reject) => {
      const socket = net.connect({ host: options.host, port: options.port });
      const client = new TmClient(socket, identity, options, handlers, { resolve, reject });
      const timer = setTimeout(() => {
        if (!client.ready) {
          reject(new Error(`no welcome within ${options.timeoutMs} ms`));
          socket.destroy();
        }
      }, options.timeoutMs ?? 30_000);
      timer.unref();
    });
  }

  get isOpen(): boolean {
    return !this.closed && !this.socket.destroyed;
  }

  send(message: ClientMessage): void {
    this.outbox.push(encodeControl(message));
  }

  sendData(stream: number, payload: Buffer, end: boolean): void {
    this.outbox.push(encodeHeader(FrameKind.Data, payload.length, stream, end ? FrameFlag.End : 0));
    this.outbox.push(payload);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private fail(err: Error): void {
    if (!this.ready) this.settle.reject(err);
    this.socket.destroy();
  }

  private readonly onFrame = (frame: Frame): void => {
    if (frame.kind === FrameKind.Data) {
      this.handlers.onData?.(frame);
      return;
    }
    const p = frame.payload;
    if (!this.ready) {
      this.handshake(p);
      return;
    }
    const c6 = p[6];
    if (c6 === C_M) {
      this.chats++;
      this.handlers.onChat?.(p);
      return;
    }
    if (c6 === C_A && p[7] === C_C) {
      this.acks++;
      return;
    }
    if (c6 === C_J || c6 === C_L) return; // joined / left
    if (c6 === C_P && p[7] === C_E && p[10] === 0x22) return; // "peer"
    if (c6 === C_P && p[7] === C_R) return; // "presence": the online count of a big relay
    const message = JSON.parse(p.toString('utf8')) as { t: string; n?: number };
    if (message.t === 'ping') {
      this.send({ t: 'pong', n: message.n ?? 0 });
      return;
    }
    this.handlers.onControl?.(message);
  };

  private handshake(payload: Buffer): void {
    if (payload[6] === C_W) {
      this.ready = true;
      this.settle.resolve(this);
      return;
    }
    const message = decodeRelayMessage(payload);
    if (message.t === 'error') {
      this.fail(new Error(`relay refused: ${message.code} ${message.message}`));
      return;
    }
    if (message.t !== 'challenge') return;
    const clientNonce = newNonce();
    const transcript = handshakeTranscript(message.nonce, clientNonce, this.identity.publicKey);
    this.send({
      t: 'hello',
      v: PROTOCOL_VERSION,
      name: this.options.name,
      machine: 'bench',
      publicKey: this.identity.publicKey,
      signature: this.identity.sign(transcript),
      clientNonce,
      proof: proveSecret(this.options.secret, 'client', transcript),
      instance: crypto.randomBytes(9).toString('base64url'),
      // Like the real client: presence-aware, watching nobody (a big relay then sends only counts).
      watch: [],
    });
    this.outbox.flush();
  }
}

function clientIdOf(identity: Identity): string {
  return identity.clientId;
}

/** One encoded `send` frame, copied and stamped for each message: ref and time are patched in. */
export class SendTemplate {
  private readonly frame: Buffer;
  private readonly refAt: number;
  private readonly markAt: number;
  private static readonly REF = 'RRRRRRRRRRRR';

  constructor(to: Targets) {
    const text = makeText(0).toString('latin1');
    this.frame = encodeControl({ t: 'send', ref: SendTemplate.REF, to, text });
    this.refAt = this.frame.indexOf(SendTemplate.REF);
    this.markAt = this.frame.indexOf(MARK);
  }

  get length(): number {
    return this.frame.length;
  }

  /** Writes the frame for message `seq` stamped `stampUs` into `target` at `offset`. */
  writeInto(target: Buffer, offset: number, seq: number, stampUs: number): void {
    this.frame.copy(target, offset);
    writeDigits(target, offset + this.refAt, SendTemplate.REF.length, seq);
    stampAt(target, offset + this.markAt, stampUs);
  }

  make(seq: number, stampUs: number): Buffer {
    const b = Buffer.allocUnsafe(this.frame.length);
    this.writeInto(b, 0, seq, stampUs);
    return b;
  }
}
