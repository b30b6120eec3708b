import * as net from 'node:net';
import { DEFAULT_RECEIVE_WINDOW } from '../../src/net/transfer/incomingTransfer';

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

export const HOST = '127.0.0.1';
export const BENCH_SECRET = 'bench-team-secret';
export const FILE_WINDOW = Number(process.env.BENCH_FILE_WINDOW ?? DEFAULT_RECEIVE_WINDOW); // the real client's receive window
/** A file sender keeps up to this much queued ahead of the kernel, so 1 MiB chunks still pipeline. */
export const SEND_BACKLOG = 8 * 1024 * 1024;

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
