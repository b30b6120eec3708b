import * as crypto from 'node:crypto';
import * as net from 'node:net';
import mqtt from 'mqtt';
import { encodeControl } from '../../src/net/protocol/controlCodec';
import { Frame, FrameFlag, FrameKind } from '../../src/net/protocol/frame';
import { FrameDecoder } from '../../src/net/protocol/frameDecoder';
import { generateIdentity } from '../../src/net/identity';
import { DEFAULT_RECEIVE_WINDOW } from '../../src/net/transfer/incomingTransfer';
import { makeText, nowUs } from './common';
import { Outbox } from './outbox';
import { SendTemplate, TmClient, TmHandlers } from './tmClient';

/**
 * One adapter per system under test. The workloads in loadgen.ts only ever see these
 * interfaces, so every system is driven by the same pacing, counting and timing code.
 */
export type OnMessage = (buf: Buffer, start: number, end: number) => void;

export interface Receiver {
  /** What a sender addresses to reach this receiver. */
  readonly target: string;
  received: number;
  /** From now on read at most `bytesPerSecond` from the network. */
  throttle(bytesPerSecond: number): void;
  isOpen(): boolean;
  close(): void;
}

export interface Sender {
  /** Queues one 100-byte message stamped with `stampUs`. */
  send(stampUs: number): void;
  /** Bytes queued in this process, not yet taken by the kernel. */
  backlog(): number;
  isOpen(): boolean;
  close(): void;
}

export interface FileRun {
  bytes: number;
  startUs: number;
  endUs: number;
}

export interface System {
  readonly name: string;
  receiver(group: 'pair' | 'all', on: OnMessage): Promise<Receiver>;
  /** A sender to one receiver's target, or to every 'all' receiver (`target` = 'all'). */
  sender(target: string): Promise<Sender>;
  /** Moves `bytes` from one client to another in `chunk`-byte data frames; absent where the system has no file transfer. */
  fileTransfer?(bytes: number, chunk: number): Promise<FileRun>;
  close(): void;
}

const HOST = '127.0.0.1';
export const BENCH_SECRET = 'bench-team-secret';
const FILE_WINDOW = Number(process.env.BENCH_FILE_WINDOW ?? DEFAULT_RECEIVE_WINDOW); // the real client's receive window
/** A file sender keeps up to this much queued ahead of the kernel, so 1 MiB chunks still pipeline. */
const SEND_BACKLOG = 8 * 1024 * 1024;

/** Reads a socket at a fixed rate: pauses it whenever it is ahead of its budget. */
export function throttleSocket(socket: net.Socket | NodeJS.ReadableStream, bytesPerSecond: number): void {
  let tokens = 0;
  let last = performance.now();
  (socket as net.Socket).on('data', (chunk: Buffer) => {
    const now = performance.now();
    tokens = Math.min(bytesPerSecond / 10, tokens + ((now - last) * bytesPerSecond) / 1000);
    last = now;
    tokens -= chunk.length;
    if (tokens < 0) {
      (socket as net.Socket).pause();
      setTimeout(() => (socket as net.Socket).resume(), Math.ceil((-tokens * 1000) / bytesPerSecond));
    }
  });
}

// ------------------------------------------------------------------------------------ relay

export class RelaySystem implements System {
  readonly name = 'relay';
  private readonly clients = new Set<TmClient>();
  private n = 0;

  constructor(private readonly port: number) {}

  private connect(name: string, handlers: TmHandlers = {}): Promise<TmClient> {
    return TmClient.connect({ host: HOST, port: this.port, secret: BENCH_SECRET, name, timeoutMs: 60_000 }, handlers).then((c) => {
      this.clients.add(c);
      return c;
    });
  }

  async receiver(group: 'pair' | 'all', on: OnMessage): Promise<Receiver> {
    const receiver = { received: 0 } as Receiver & { received: number };
    const client = await this.connect(`r${this.n++}`, {
      onChat: (p: Buffer) => {
        receiver.received++;
        on(p, 0, p.length);
      },
    });
    return Object.assign(receiver, {
      target: group === 'all' ? 'all' : client.clientId,
      throttle: (bps: number) => throttleSocket(client.socket, bps),
      isOpen: () => client.isOpen,
      close: () => client.close(),
    });
  }

  async sender(target: string): Promise<Sender> {
    const client = await this.connect(`s${this.n++}`);
    const template = new SendTemplate(target === 'all' ? 'all' : [target]);
    let seq = 0;
    return {
      send: (stampUs) => client.outbox.push(template.make(++seq, stampUs)),
      backlog: () => client.outbox.backlog,
      isOpen: () => client.isOpen,
      close: () => client.close(),
    };
  }

  async fileTransfer(bytes: number, chunk: number): Promise<FileRun> {
    const receiver = await this.connect(`fr${this.n++}`);
    const sender = await this.connect(`fs${this.n++}`);
    const payload = crypto.randomBytes(chunk);
    const digest = Buffer.alloc(32);
    return new Promise<FileRun>((resolve, reject) => {
      let recvStream = 0;
      let granted = 0;
      let received = 0;
      let sendStream = 0;
      let credit = 0;
      let sent = 0;
      let ended = false;
      let startUs = 0;
      const grant = () => {
        const inFlight = granted - received;
        const room = Math.min(bytes - granted, FILE_WINDOW - inFlight);
        if (room <= 0 || (room < FILE_WINDOW / 2 && room < bytes - granted)) return;
        granted += room;
        receiver.send({ t: 'credit', stream: recvStream, bytes: room });
      };
      const pump = () => {
        while (!ended && sendStream !== 0 && sender.outbox.backlog < SEND_BACKLOG) {
          if (sent === bytes) {
            sender.sendData(sendStream, digest, true);
            ended = true;
            break;
          }
          const n = Math.min(chunk, credit, bytes - sent);
          if (n <= 0) break;
          if (startUs === 0) startUs = nowUs();
          sender.sendData(sendStream, n === chunk ? payload : payload.subarray(0, n), false);
          sent += n;
          credit -= n;
        }
      };
      sender.socket.on('drain', pump);
      receiver.handlers = {
        onControl: (m) => {
          if (m.t === 'offer') receiver.send({ t: 'answer', transfer: m.transfer as string, accept: true });
          else if (m.t === 'answered') {
            recvStream = (m.streams as { stream: number }[])[0].stream;
            grant();
          } else if (m.t === 'cancel' || m.t === 'error') reject(new Error(`receiver: ${JSON.stringify(m)}`));
        },
        onData: (frame: Frame) => {
          if (frame.flags & FrameFlag.End) {
            const endUs = nowUs();
            receiver.send({ t: 'file-result', stream: recvStream, ok: true });
            resolve({ bytes: received, startUs, endUs });
            return;
          }
          received += frame.payload.length;
          grant();
        },
      };
      sender.handlers = {
        onControl: (m) => {
          if (m.t === 'answered') {
            sendStream = (m.streams as { stream: number }[])[0].stream;
            pump();
          } else if (m.t === 'credit') {
            credit += m.bytes as number;
            pump();
          } else if (m.t === 'cancel' || (m.t === 'error' && m.fatal)) reject(new Error(`sender: ${JSON.stringify(m)}`));
        },
      };
      sender.send({
        t: 'offer',
        ref: 'file-1',
        to: receiver.clientId,
        key: crypto.randomBytes(16).toString('base64url'),
        files: [{ name: 'bench.bin', size: bytes }],
      });
    }).finally(() => {
      receiver.close();
      sender.close();
    });
  }

  close(): void {
    for (const c of this.clients) c.close();
    this.clients.clear();
  }
}

// ------------------------------------------------------------------------------------ direct TCP and pipe() relay

/**
 * The no-relay limit: senders open a TCP connection straight to the receiving side, which is
 * a listener in this same process. The same class drives the plain pipe() relay: then senders
 * connect to the pipe relay, which connects through to this listener. A connection opens with
 * one control frame naming the receiver it is for; after that it carries exactly the frames a
 * sender would give the relay (the same `send` frames, the same data frames).
 */
interface DirectReceiver extends Receiver {
  on: OnMessage;
  sockets: net.Socket[];
  rate: number;
}

export class DirectHub {
  readonly receivers = new Map<string, DirectReceiver>();
  readonly sockets = new Set<net.Socket>();
  fileSink: ((frame: Frame) => void) | undefined;

  async listen(): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return (server.address() as net.AddressInfo).port;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let target: DirectReceiver | undefined;
    let file = false;
    const decoder = new FrameDecoder(
      (frame) => {
        if (frame.kind === FrameKind.Data) {
          if (file) this.fileSink?.(frame);
          return;
        }
        if (target) {
          target.received++;
          target.on(frame.payload, 0, frame.payload.length);
          return;
        }
        const open = JSON.parse(frame.payload.toString('utf8')) as { to: string };
        if (open.to === 'file') file = true;
        else {
          target = this.receivers.get(open.to);
          if (!target) throw new Error(`no receiver ${open.to}`);
          target.sockets.push(socket);
          if (target.rate > 0) throttleSocket(socket, target.rate);
        }
      },
      { maxPayload: 64 * 1024 * 1024 },
    );
    socket.on('data', (chunk) => decoder.push(chunk));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.receivers.clear();
  }
}

export class DirectSystem implements System {
  private n = 0;
  private readonly outgoing = new Set<net.Socket>();

  constructor(
    readonly name: 'direct' | 'pipe',
    private readonly hub: DirectHub,
    /** Where senders connect: the hub itself (direct) or the pipe relay in front of it. */
    private readonly port: number,
  ) {}

  async receiver(group: 'pair' | 'all', on: OnMessage): Promise<Receiver> {
    const id = `${group}-${this.n++}`;
    const receiver: DirectReceiver = {
      target: group === 'all' ? 'all' : id,
      received: 0,
      on,
      sockets: [],
      rate: 0,
      throttle(bps) {
        receiver.rate = bps;
        for (const s of receiver.sockets) throttleSocket(s, bps);
      },
      isOpen: () => receiver.sockets.length === 0 || receiver.sockets.some((s) => !s.destroyed),
      close: () => receiver.sockets.forEach((s) => s.destroy()),
    };
    this.hub.receivers.set(id, receiver);
    return receiver;
  }

  private async open(to: string): Promise<Outbox> {
    const socket = net.connect({ host: HOST, port: this.port });
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.outgoing.add(socket);
    const box = new Outbox(socket);
    box.push(encodeControl({ t: 'bench-open', to } as never));
    return box;
  }

  async sender(target: string): Promise<Sender> {
    const ids = target === 'all' ? [...this.hub.receivers.entries()].filter(([id]) => id.startsWith('all-')).map(([id]) => id) : [target];
    const boxes = await Promise.all(ids.map((id) => this.open(id)));
    // The same bytes the relay is sent; for a fan-out, one encoding written to every socket.
    const template = new SendTemplate(target === 'all' ? 'all' : [generateIdentity().clientId]);
    let seq = 0;
    return {
      send: (stampUs) => {
        const frame = template.make(++seq, stampUs);
        for (const box of boxes) box.push(frame);
      },
      backlog: () => {
        let max = 0;
        for (const box of boxes) max = Math.max(max, box.backlog);
        return max;
      },
      isOpen: () => boxes.every((b) => !b.socket.destroyed),
      close: () => boxes.forEach((b) => b.socket.destroy()),
    };
  }

  async fileTransfer(bytes: number, chunk: number): Promise<FileRun> {
    const box = await this.open('file');
    const payload = crypto.randomBytes(chunk);
    const digest = Buffer.alloc(32);
    return new Promise<FileRun>((resolve) => {
      let received = 0;
      let sent = 0;
      let ended = false;
      let startUs = 0;
      this.hub.fileSink = (frame) => {
        if (frame.flags & FrameFlag.End) resolve({ bytes: received, startUs, endUs: nowUs() });
        else received += frame.payload.length;
      };
      const pump = () => {
        while (!ended && box.backlog < SEND_BACKLOG) {
          if (sent === bytes) {
            box.push(header(digest.length, FrameFlag.End));
            box.push(digest);
            ended = true;
            break;
          }
          const n = Math.min(chunk, bytes - sent);
          if (startUs === 0) startUs = nowUs();
          box.push(header(n, 0));
          box.push(n === chunk ? payload : payload.subarray(0, n));
          sent += n;
        }
      };
      box.socket.on('drain', pump);
      pump();
    }).finally(() => box.socket.destroy());
  }

  close(): void {
    for (const s of this.outgoing) s.destroy();
    this.hub.close();
  }
}

function header(length: number, flags: number): Buffer {
  const h = Buffer.allocUnsafe(10);
  h.writeUInt32BE(length, 0);
  h[4] = FrameKind.Data;
  h[5] = flags;
  h.writeUInt32BE(1, 6);
  return h;
}

// ------------------------------------------------------------------------------------ MQTT (Mosquitto, Aedes)

export class MqttSystem implements System {
  private readonly clients = new Set<mqtt.MqttClient>();
  private n = 0;

  constructor(
    readonly name: 'mosquitto' | 'aedes',
    private readonly port: number,
  ) {}

  private connect(): Promise<mqtt.MqttClient> {
    const client = mqtt.connect({
      host: HOST,
      port: this.port,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      keepalive: 120,
      connectTimeout: 60_000,
      clientId: `b${process.pid}-${this.n++}`,
    });
    this.clients.add(client);
    return new Promise((resolve, reject) => {
      client.once('connect', () => {
        const stream = client.stream as unknown as net.Socket;
        stream.setNoDelay?.(true);
        resolve(client);
      });
      client.once('error', reject);
      client.once('close', () => reject(new Error('closed before connack')));
    });
  }

  async receiver(group: 'pair' | 'all', on: OnMessage): Promise<Receiver> {
    const client = await this.connect();
    const topic = group === 'all' ? 'bench/all' : `bench/p/${this.n++}`;
    await client.subscribeAsync(topic, { qos: 0 });
    const receiver: Receiver = {
      target: topic,
      received: 0,
      throttle: (bps) => throttleSocket(client.stream as unknown as net.Socket, bps),
      isOpen: () => client.connected,
      close: () => client.end(true),
    };
    client.on('message', (_topic, payload) => {
      receiver.received++;
      on(payload, 0, payload.length);
    });
    return receiver;
  }

  async sender(target: string): Promise<Sender> {
    const client = await this.connect();
    const topic = target === 'all' ? 'bench/all' : target;
    const stream = client.stream as unknown as net.Socket;
    return {
      send: (stampUs) => client.publish(topic, makeText(stampUs), { qos: 0 }),
      backlog: () => stream.writableLength,
      isOpen: () => client.connected,
      close: () => client.end(true),
    };
  }

  close(): void {
    for (const c of this.clients) c.end(true);
    this.clients.clear();
  }
}
