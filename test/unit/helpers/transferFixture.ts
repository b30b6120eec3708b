/**
 * Helpers for the file-transfer tests: relays and clients over real loopback sockets, raw
 * protocol peers, a cuttable / corrupting TCP proxy, and test files with known SHA-256.
 *
 * Everything a test creates is registered with the fixture and torn down in `afterEach`
 * (newest first, each step bounded in time, never throwing), even when the test failed half way.
 */
import * as crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientOptions, TeamClient } from '../../../src/net/client/teamClient';
import { TeamMessengerError } from '../../../src/net/protocol/errors';
import { generateIdentity } from '../../../src/net/identity';
import { silentLogger } from '../../../src/net/logger';
import { Relay, RelayOptions } from '../../../src/server/relay';
import { Cleanup, RawClient, TcpProxy, TcpProxyOptions } from './loopback';

export const HOST = '127.0.0.1';
export const MiB = 1024 * 1024;

// ------------------------------------------------------------------------------------ waiting

/** Rejects with a message naming what was awaited if `promise` does not settle within `ms`. */
export function within<T>(promise: Promise<T>, label: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `check()` is truthy, re-checked whenever `event` fires on `emitter`. */
export function when<T>(emitter: EventEmitter, events: string[], check: () => T | undefined | false, label: string, ms = 10_000): Promise<T> {
  const first = check();
  if (first) return Promise.resolve(first);
  let listener: (() => void) | undefined;
  const seen = new Promise<T>((resolve) => {
    listener = () => {
      const value = check();
      if (value) resolve(value);
    };
    for (const e of events) emitter.on(e, listener);
  });
  return within(seen, label, ms).finally(() => {
    for (const e of events) emitter.off(e, listener!);
  });
}

/**
 * Polls a condition that has no event (files disappearing from a folder). Short interval,
 * bounded wait, fails with the label.
 */
export async function eventually<T>(check: () => T | undefined | false, label: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asserts that `promise` rejects with a TeamMessengerError of `code`; returns the error. */
export async function rejectsWith(promise: Promise<unknown>, code: string, label: string, ms = 10_000): Promise<TeamMessengerError> {
  let value: unknown;
  try {
    value = await within(promise, label, ms);
  } catch (err) {
    if (!(err instanceof TeamMessengerError)) throw new Error(`${label}: expected a TeamMessengerError ${code}, got ${String(err)}`, { cause: err });
    if (err.code !== code) throw new Error(`${label}: expected ${code}, got ${err.code}: ${err.message}`, { cause: err });
    return err;
  }
  throw new Error(`${label}: expected a rejection with ${code}, but it resolved with ${JSON.stringify(value)}`);
}

// ------------------------------------------------------------------------------------ files

export function sha256(data: Buffer | string): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes `size` bytes of seeded pseudo-random content; returns its SHA-256. */
export function writeSeededFile(file: string, size: number, seed: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const content = seededBytes(size, seed);
  fs.writeFileSync(file, content);
  return sha256(content);
}

/**
 * A big file made cheaply: one random 1 MiB block written over and over with the block number
 * stamped into its first bytes, so no two blocks are equal. Returns the SHA-256 computed while
 * writing.
 */
export function writeBigFile(file: string, size: number, seed: number): string {
  const block = seededBytes(MiB, seed);
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  try {
    let written = 0;
    for (let i = 0; written < size; i++) {
      block.writeUInt32BE(i, 0);
      block.writeUInt32BE(seed ^ i, 512 * 1024);
      const n = Math.min(block.length, size - written);
      const part = block.subarray(0, n);
      hash.update(part);
      let off = 0;
      while (off < n) off += fs.writeSync(fd, part, off, n - off);
      written += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Fast deterministic bytes (xorshift32), for file contents. */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 0x9e3779b9;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Every regular file under `root`, relative '/'-separated path → SHA-256. */
export function treeOf(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, rel);
      else out.set(rel, sha256(fs.readFileSync(full)));
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out;
}

/** Every entry (files and folders) under `root`, relative paths, sorted. */
export function entriesOf(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      out.push(rel);
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out.sort();
}

/** Leftover temporary files of incoming transfers. */
export function partFiles(root: string): string[] {
  return entriesOf(root).filter((e) => e.endsWith('.part'));
}

/** True when `child` is `root` or inside it (after resolving `..`). */
export function isInside(root: string, child: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(child));
  return rel !== '' && !rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel);
}

// ------------------------------------------------------------------------------------ fixture

/** Transfer tests' set-up, torn down through loopback.ts's Cleanup stack. */
export class TransferFixture extends Cleanup {
  cleanup(): Promise<void> {
    return this.run();
  }

  tempDir(prefix = 'tm-xfer-'): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.add(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async relay(options: Partial<RelayOptions> = {}): Promise<{ relay: Relay; port: number }> {
    const relay = new Relay({ host: HOST, port: 0, auth: { noAuth: true }, logger: silentLogger, shutdownGraceMs: 500, ...options, tls: options.tls ?? false });
    this.add('relay', () => relay.stop('test cleanup'));
    const address = await relay.start();
    return { relay, port: address.port };
  }

  client(port: number, name: string, options: Partial<ClientOptions> = {}): TeamClient {
    const client = new TeamClient({
      host: HOST,
      port,
      name,
      machine: 'test-machine',
      identity: generateIdentity(),
      backoff: { initialMs: 20, maxMs: 200 },
      connectTimeoutMs: 3000,
      logger: silentLogger,
      ...options,
      tls: options.tls ?? false,
    });
    this.add(`client ${name}`, () => client.close());
    return client;
  }

  async connect(port: number, name: string, options: Partial<ClientOptions> = {}): Promise<TeamClient> {
    const client = this.client(port, name, options);
    await within(client.connect(), `${name} to connect`);
    return client;
  }

  /** A raw protocol client that answers pings by itself and waits up to 10 s by default. */
  async raw(port: number): Promise<RawClient> {
    const raw = await RawClient.connect(this, port);
    raw.answerPings = true;
    raw.waitMs = 10_000;
    return raw;
  }

  /** A proxy that counts bytes but keeps none (transfers here are hundreds of MiB). */
  proxy(targetPort: number, options: Omit<TcpProxyOptions, 'record'> = {}): Promise<TcpProxy> {
    return TcpProxy.start(this, targetPort, { ...options, record: false });
  }
}

/** A fixture torn down after every test of the enclosing `describe`. */
export function useTransferFixture(): TransferFixture {
  const fx = new TransferFixture();
  afterEach(async function () {
    this.timeout(60_000);
    await fx.cleanup();
  });
  return fx;
}

/** Waits until `client` sees every one of `peers` online. */
export function seesPeers(client: TeamClient, peers: TeamClient[]): Promise<true> {
  const all = () => peers.every((p) => [...client.peers.values()].some((info) => info.clientId === p.clientId)) || undefined;
  return when(client as unknown as EventEmitter, ['peer-joined', 'welcome'], all, `${client.name} to see ${peers.map((p) => p.name).join(', ')}`);
}
