/**
 * Helpers for the TLS and abuse tests: a Logger that records what the relay logs, a look at the
 * relay's private bookkeeping (to prove nothing is left behind), raw connections from another
 * loopback address, and heap measurements after a forced GC.
 */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { LogFields, LogLevel, Logger } from '../../../src/net/logger';
import type { Admission } from '../../../src/server/admission';
import type { Relay } from '../../../src/server/relay';
import { Cleanup, HOST, RawClient, WAIT_MS, waitUntil, withTimeout } from './loopback';

/** Linux routes all of 127/8 to lo: attackers come from here, honest clients from 127.0.0.1. */
export const ATTACKER = '127.0.0.2';

// ------------------------------------------------------------------------------------ logs

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: LogFields;
}

/** A Logger that keeps every line, for asserting what the relay said and why. */
export class LogCapture implements Logger {
  readonly entries: LogEntry[] = [];
  private readonly events = new EventEmitter();

  readonly debug = (message: string, fields: LogFields = {}) => this.add('debug', message, fields);
  readonly info = (message: string, fields: LogFields = {}) => this.add('info', message, fields);
  readonly warn = (message: string, fields: LogFields = {}) => this.add('warn', message, fields);
  readonly error = (message: string, fields: LogFields = {}) => this.add('error', message, fields);

  constructor() {
    this.events.setMaxListeners(0);
  }

  /** Entries with this message whose fields pass `accept`. */
  find(message: string, accept: (fields: LogFields) => boolean = () => true): LogEntry[] {
    return this.entries.filter((e) => e.message === message && accept(e.fields));
  }

  /** How many events the matching lines stand for: a line is one, a flood log's summary line
   *  the `suppressed` repeats it sums up (see src/server/floodLog.ts). */
  count(message: string, accept: (fields: LogFields) => boolean = () => true): number {
    return this.find(message, accept).reduce((sum, e) => sum + (typeof e.fields.suppressed === 'number' ? e.fields.suppressed : 1), 0);
  }

  /** Waits until the matching lines stand for at least `count` events (see `count`). */
  waitForCount(message: string, accept: (fields: LogFields) => boolean, count: number, ms = WAIT_MS): Promise<number> {
    return waitUntil(
      () => {
        const n = this.count(message, accept);
        return n >= count && n;
      },
      this.events,
      ['entry'],
      `log lines "${message}" standing for ${count} events (have ${this.count(message, accept)})`,
      ms,
    );
  }

  /** Waits until at least `count` entries match. */
  waitFor(message: string, accept: (fields: LogFields) => boolean = () => true, count = 1, ms = WAIT_MS): Promise<LogEntry[]> {
    return waitUntil(
      () => {
        const found = this.find(message, accept);
        return found.length >= count && found;
      },
      this.events,
      ['entry'],
      `${count} log line(s) "${message}" (have ${this.find(message, accept).length})`,
      ms,
    );
  }

  private add(level: LogLevel, message: string, fields: LogFields): void {
    this.entries.push({ level, message, fields });
    this.events.emit('entry');
  }
}

// ------------------------------------------------------------------------------------ relay internals

interface RelayInternals {
  admission: Admission;
  acceptor: { handshakingCount: number };
  sessions: Map<number, unknown>;
  byClient: Map<string, Set<unknown>>;
}

/** The relay's admission counts (connections logging in, evictions so far). */
export function relayAdmission(relay: Relay): Admission {
  return (relay as unknown as RelayInternals).admission;
}

/** What the relay holds: connections counted by admission, TLS handshakes, sessions, identities. */
export function holdings(relay: Relay): { admitted: number; handshaking: number; sessions: number; identities: number } {
  const r = relay as unknown as RelayInternals;
  return { admitted: r.admission.connections, handshaking: r.acceptor.handshakingCount, sessions: r.sessions.size, identities: r.byClient.size };
}

// ------------------------------------------------------------------------------------ waiting

/** Polls `check` (every `everyMs`) for state that emits no event, such as sockets closing inside the relay. */
export async function until<T>(check: () => T | undefined | false, label: string, ms = WAIT_MS, everyMs = 10): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const polled = new Promise<T>((resolve) => {
    const tick = () => {
      const value = check();
      if (value !== undefined && value !== false) resolve(value);
      else timer = setTimeout(tick, everyMs);
    };
    tick();
  });
  return withTimeout(polled, label, ms).finally(() => clearTimeout(timer));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// ------------------------------------------------------------------------------------ sockets

/** A plain socket from `localAddress` to the relay, destroyed at cleanup; resolves once connected. */
export async function socketFrom(cleanup: Cleanup, port: number, localAddress = ATTACKER): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port, localAddress });
  socket.on('error', () => undefined);
  cleanup.add(`socket from ${localAddress}`, () => socket.destroy());
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => reject(new Error('closed before connecting')));
    }),
    `a socket from ${localAddress} to connect`,
  );
  return socket;
}

/** A RawClient (see loopback.ts) from another address. */
export async function rawFrom(cleanup: Cleanup, port: number, localAddress = ATTACKER): Promise<RawClient> {
  const socket = net.connect({ host: HOST, port, localAddress });
  const raw = new RawClient(socket);
  cleanup.add(`raw client from ${localAddress}`, () => {
    socket.destroy();
    return raw.closed;
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    }),
    `a raw client from ${localAddress} to connect`,
  );
  return raw;
}

/** Resolves when the socket closes (whoever closed it). */
export function closed(socket: net.Socket): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

// ------------------------------------------------------------------------------------ memory

let gcFunction: (() => void) | undefined | null = null;

/** `gc()`: the global one under --expose-gc, else one obtained by setting the flag at run time. */
export function gcAvailable(): (() => void) | undefined {
  if (gcFunction !== null) return gcFunction;
  const global = (globalThis as { gc?: () => void }).gc;
  if (global) return (gcFunction = global);
  try {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = vm.runInNewContext('gc') as () => void;
  } catch {
    gcFunction = undefined;
  }
  return gcFunction;
}

/** heapUsed + external (Buffers live outside the heap) after full collections when possible. */
export async function settledMemory(): Promise<number> {
  const gc = gcAvailable();
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc?.();
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}
