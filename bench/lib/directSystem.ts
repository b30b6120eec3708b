import * as crypto from 'node:crypto';
import * as net from 'node:net';
import { generateIdentity } from '../../src/net/identity';
import { encodeControl } from '../../src/net/protocol/controlCodec';
import { Frame, FrameFlag, FrameKind } from '../../src/net/protocol/frame';
import { FrameDecoder } from '../../src/net/protocol/frameDecoder';
import { nowUs } from './common';
import { Outbox } from './outbox';
import { SendTemplate } from './tmClient';

import type { FileRun, OnMessage, Receiver, Sender, System } from './systemBase';
import { HOST, SEND_BACKLOG, throttleSocket } from './systemBase';

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

/** The no-relay limit (a direct TCP connection) and the plain pipe() relay. */
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
