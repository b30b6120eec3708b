import * as crypto from 'node:crypto';
import { Frame, FrameFlag } from '../../src/net/protocol/frame';
import { nowUs } from './common';
import { SendTemplate, TmClient, TmHandlers } from './tmClient';

import type { FileRun, OnMessage, Receiver, Sender, System } from './systemBase';
import { BENCH_SECRET, FILE_WINDOW, HOST, SEND_BACKLOG, throttleSocket } from './systemBase';

/** The relay under test, driven through the bench's lean client (tmClient.ts). */
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
