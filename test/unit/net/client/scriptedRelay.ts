import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { clientIdFromPublicKey } from '../../../../src/net/identity';
import { decodeClientMessage, encodeControl } from '../../../../src/net/protocol/controlCodec';
import { ChannelInfo } from '../../../../src/net/protocol/conversationMessages';
import { FrameDecoder } from '../../../../src/net/protocol/frameDecoder';
import { ChatMessage, ClientMessage, Hello, PROTOCOL_VERSION, RelayMessage } from '../../../../src/net/protocol/messages';
import { Cleanup, HOST, waitUntil } from '../../helpers/loopback';

/**
 * A relay a test drives by hand, for the client's side of what the real relay decides: it
 * challenges without a secret, welcomes every hello (with the epoch and seq the test sets), and
 * then only records what the client sends and writes what the test tells it to. One client at
 * a time; `cut()` ends its connection, `refuse` turns newcomers away (the client keeps retrying).
 */
export class ScriptedRelay extends EventEmitter {
  /** Everything the client sent after its hello, every connection's, in order. */
  readonly received: ClientMessage[] = [];
  /** Every hello, in order (where each connection said it would resume). */
  readonly hellos: Hello[] = [];
  epoch = 'epoch-1';
  seq = 0;
  /** Close new connections at once (a relay that is down). */
  refuse = false;
  welcomes = 0;
  private socket: net.Socket | undefined;

  private constructor(private readonly server: net.Server) {
    super();
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(cleanup: Cleanup): Promise<ScriptedRelay> {
    const server = net.createServer();
    const relay = new ScriptedRelay(server);
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    cleanup.add('scripted relay', () => {
      relay.socket?.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return relay;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Writes a message to the connected client. */
  send(message: RelayMessage): void {
    if (!this.socket) throw new Error('no client is connected to the scripted relay');
    this.socket.write(encodeControl(message));
  }

  /** Ends the client's connection (it reconnects). */
  cut(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  /** The received messages of type `t`. */
  sent<T extends ClientMessage['t']>(t: T): Extract<ClientMessage, { t: T }>[] {
    return this.received.filter((m): m is Extract<ClientMessage, { t: T }> => m.t === t);
  }

  /** Waits until the client has sent `count` messages of type `t`; returns them. */
  waitForSent<T extends ClientMessage['t']>(t: T, count = 1): Promise<Extract<ClientMessage, { t: T }>[]> {
    return waitUntil(() => this.sent(t).length >= count && this.sent(t), this, ['received'], `the client to send ${count} "${t}"`);
  }

  private accept(socket: net.Socket): void {
    if (this.refuse) {
      socket.destroy();
      return;
    }
    this.socket?.destroy();
    this.socket = socket;
    socket.on('error', () => {});
    const decoder = new FrameDecoder((frame) => {
      const message = decodeClientMessage(Buffer.from(frame.payload));
      if (message.t === 'hello') {
        this.hellos.push(message);
        this.welcomes++;
        socket.write(
          encodeControl({
            t: 'welcome',
            id: this.welcomes,
            clientId: clientIdFromPublicKey(message.publicKey),
            epoch: this.epoch,
            seq: this.seq,
            peers: [],
            known: [],
            pingIntervalMs: 60_000,
            idleTimeoutMs: 120_000,
            maxPayload: 1 << 20,
            presence: 'full',
            online: 1,
          }),
        );
        this.emit('welcomed');
        return;
      }
      if (message.t === 'pong' || message.t === 'bye') return;
      this.received.push(message);
      this.emit('received', message);
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.write(encodeControl({ t: 'challenge', v: PROTOCOL_VERSION, nonce: 'n'.repeat(32), auth: false }));
  }
}

/** A channel as the relay describes it, with the fields a test does not care about filled in. */
export function channelInfo(id: string, fields: Partial<ChannelInfo> = {}): ChannelInfo {
  return {
    id,
    name: id,
    topic: '',
    private: false,
    archived: false,
    createdBy: 'someone',
    createdAt: 1,
    memberCount: fields.members?.length ?? 0,
    ...fields,
  };
}

/** A chat message as the relay delivers it. */
export function chatMessage(seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return {
    t: 'message',
    id: `epoch-1-${seq}`,
    seq,
    ts: 1_700_000_000_000 + seq,
    from: 'b'.repeat(43),
    fromName: 'bob',
    to: 'all',
    text: `message ${seq}`,
    ...fields,
  };
}
