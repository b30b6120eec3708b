/**
 * Helpers for tests that run the relay and clients over real loopback sockets.
 *
 * Everything a test creates (relays, clients, raw sockets, proxies, temp folders, child
 * processes) is registered with a `Cleanup` and torn down in `afterEach`, even when the test
 * failed half way, so mocha exits by itself with no open handles.
 */
import { ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { handshakeTranscript, newNonce, proveSecret } from '../../../src/net/protocol/auth';
import { ClientEvents, ClientOptions, TeamClient } from '../../../src/net/client/teamClient';
import { decodeRelayMessage, encodeControl } from '../../../src/net/protocol/controlCodec';
import { TeamMessengerError } from '../../../src/net/protocol/errors';
import { Frame, FrameFlag, FrameKind, encodeFrame, encodeHeader } from '../../../src/net/protocol/frame';
import { FrameDecoder } from '../../../src/net/protocol/frameDecoder';
import { Identity, generateIdentity } from '../../../src/net/identity';
import { silentLogger } from '../../../src/net/logger';
import { Challenge, ClientMessage, PROTOCOL_VERSION, PeerStatus, RelayMessage, Welcome } from '../../../src/net/protocol/messages';
import { Relay, RelayOptions } from '../../../src/server/relay';
import type { RelayProcessReply, RelayProcessRequest, RelayProcessStats } from './relayProcess';

export const SECRET = 'correct horse battery staple';
export const HOST = '127.0.0.1';
/** How long any single wait may take before the test fails with a clear message. */
export const WAIT_MS = 5000;

// ------------------------------------------------------------------------------------ raw sockets

/**
 * A plain socket to the relay, wrapped by `wrap` (a hand-driven protocol peer), closed by
 * `cleanup`; resolves once connected.
 */
export async function openRawSocket<T extends { closed: Promise<unknown> }>(cleanup: Cleanup, port: number, wrap: (socket: net.Socket) => T): Promise<T> {
  const socket = net.connect({ host: HOST, port });
  const peer = wrap(socket);
  cleanup.add('raw socket', () => {
    socket.destroy();
    return peer.closed;
  });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    }),
    'raw socket to connect',
  );
  return peer;
}

// ------------------------------------------------------------------------------------ cleanup

type Task = { label: string; run: () => unknown };

/**
 * A stack of teardown tasks. `run()` executes them newest first, each with its own time limit,
 * and never throws: a failing teardown is reported on stderr, and the rest still runs.
 */
export class Cleanup {
  private tasks: Task[] = [];

  add(label: string, run: () => unknown): void {
    this.tasks.push({ label, run });
  }

  async run(): Promise<void> {
    const tasks = this.tasks.reverse();
    this.tasks = [];
    for (const task of tasks) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(task.run),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('teardown took longer than 5 s')), 5000))),
        ]);
      } catch (err) {
        process.stderr.write(`cleanup of ${task.label} failed: ${(err as Error).message}\n`);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

/** A Cleanup run after every test of the enclosing `describe`. */
export function useCleanup(): Cleanup {
  const cleanup = new Cleanup();
  afterEach(async function () {
    this.timeout(30_000);
    await cleanup.run();
  });
  return cleanup;
}

// ------------------------------------------------------------------------------------ waiting

/** Resolves after `ms`. Only for proving that something does NOT happen within a short time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a message naming what was awaited if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, label: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` from any emitter whose arguments pass `accept`. */
export function waitForEvent<T = unknown>(
  emitter: EventEmitter,
  event: string,
  accept: (value: T) => boolean = () => true,
  label = `"${event}"`,
  ms = WAIT_MS,
): Promise<T> {
  let listener: ((value: T) => void) | undefined;
  const seen = new Promise<T>((resolve) => {
    listener = (value: T) => {
      if (accept(value)) resolve(value);
    };
    emitter.on(event, listener);
  });
  return withTimeout(seen, label, ms).finally(() => emitter.off(event, listener!));
}

/**
 * Waits until `check()` returns something other than undefined/false, re-checking whenever one
 * of `events` fires on `emitter` (no polling).
 */
export function waitUntil<T>(check: () => T | undefined | false, emitter: EventEmitter, events: string[], label: string, ms = WAIT_MS): Promise<T> {
  const first = check();
  if (first !== undefined && first !== false) return Promise.resolve(first);
  let listener: (() => void) | undefined;
  const done = new Promise<T>((resolve) => {
    listener = () => {
      const value = check();
      if (value !== undefined && value !== false) resolve(value);
    };
    for (const e of events) emitter.on(e, listener);
  });
  return withTimeout(done, label, ms).finally(() => {
    for (const e of events) emitter.off(e, listener!);
  });
}

/** Asserts that `promise` rejects with a TeamMessengerError of `code`; returns the error. */
export async function rejectsWithCode(promise: Promise<unknown>, code: string, label: string, ms = WAIT_MS): Promise<TeamMessengerError> {
  let result: unknown;
  try {
    result = await withTimeout(promise, label, ms);
  } catch (err) {
    if (!(err instanceof TeamMessengerError)) throw new Error(`${label}: expected a TeamMessengerError ${code}, got ${String(err)}`, { cause: err });
    if (err.code !== code) throw new Error(`${label}: expected code ${code}, got ${err.code} (${err.message})`, { cause: err });
    return err;
  }
  throw new Error(`${label}: expected a rejection with ${code}, but it resolved with ${JSON.stringify(result)}`);
}

// ------------------------------------------------------------------------------------ temp dirs

export function tempDir(cleanup: Cleanup, prefix = 'tm-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.add(`temp dir ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ------------------------------------------------------------------------------------ relays

export type TestRelayOptions = Partial<RelayOptions>;

/** Short timers so liveness tests run fast, but long enough not to disturb ordinary tests. */
export const TEST_RELAY_DEFAULTS = {
  pingIntervalMs: 1000,
  idleTimeoutMs: 5000,
  handshakeTimeoutMs: 3000,
  shutdownGraceMs: 500,
  // Plain TCP unless a test asks for TLS (tls.test.ts and abuse.test.ts do).
  tls: false,
} as const;

/** Starts a relay on 127.0.0.1 (port 0 unless given), silent, with the test secret unless `auth` is given. */
export async function startRelay(cleanup: Cleanup, options: TestRelayOptions = {}): Promise<Relay> {
  const relay = new Relay({
    host: HOST,
    port: 0,
    auth: { secret: SECRET },
    logger: silentLogger,
    ...TEST_RELAY_DEFAULTS,
    ...options,
    tls: options.tls ?? false,
  });
  cleanup.add('relay', () => relay.stop('test cleanup'));
  await relay.start();
  return relay;
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ------------------------------------------------------------------------------------ clients

/** Recorded events. 'file-offer' is left out: listening to it changes behaviour (offers are declined without a listener). */
type EventName = Exclude<keyof ClientEvents, 'file-offer'>;
type EventArg<K extends EventName> = ClientEvents[K][0];
const EVENT_NAMES: EventName[] = [
  'state',
  'welcome',
  'peer-joined',
  'peer-left',
  'peer-updated',
  'presence',
  'watching',
  'message',
  'update',
  'pending',
  'relay-error',
  'disconnected',
  'typing',
];

/** A TeamClient that records every event it emits from the moment it is constructed. */
export class TestClient extends TeamClient {
  readonly events: { [K in EventName]: EventArg<K>[] };

  constructor(options: ClientOptions) {
    super(options);
    const events = {} as { [K in EventName]: EventArg<K>[] };
    for (const name of EVENT_NAMES) {
      const list: unknown[] = [];
      (events as Record<string, unknown[]>)[name] = list;
      (this as unknown as EventEmitter).on(name, (value: unknown) => list.push(value));
    }
    this.events = events;
  }

  /** The first recorded or future `event` that passes `accept`. */
  waitFor<K extends EventName>(event: K, accept: (value: EventArg<K>) => boolean = () => true, label?: string, ms = WAIT_MS): Promise<EventArg<K>> {
    const list = this.events[event] as EventArg<K>[];
    return waitUntil(() => list.find(accept), this as unknown as EventEmitter, [event], label ?? `${this.name}: "${event}"`, ms);
  }

  /** A future `event` (ignores what was recorded already). */
  waitForNext<K extends EventName>(event: K, accept: (value: EventArg<K>) => boolean = () => true, label?: string, ms = WAIT_MS): Promise<EventArg<K>> {
    return waitForEvent<EventArg<K>>(this as unknown as EventEmitter, event, accept, label ?? `${this.name}: next "${event}"`, ms);
  }

  /** The recorded chat messages with this text. */
  received(text: string): EventArg<'message'>[] {
    return this.events.message.filter((m) => m.text === text);
  }

  /** Waits for a chat message with this text. */
  waitForText(text: string, ms = WAIT_MS): Promise<EventArg<'message'>> {
    return this.waitFor('message', (m) => m.text === text, `${this.name} to receive "${text}"`, ms);
  }
}

export interface TestClientOptions extends Partial<Omit<ClientOptions, 'secret'>> {
  name: string;
  /** The team secret; defaults to SECRET. Pass `secret: undefined` explicitly for none. */
  secret?: string | undefined;
}

/** Creates a client (short backoff, the test secret) registered for cleanup; does not connect. */
export function createClient(cleanup: Cleanup, port: number, options: TestClientOptions): TestClient {
  const client = new TestClient({
    host: HOST,
    port,
    machine: 'test-machine',
    identity: options.identity ?? generateIdentity(),
    backoff: { initialMs: 20, maxMs: 200 },
    connectTimeoutMs: 3000,
    logger: silentLogger,
    ...options,
    tls: options.tls ?? false,
    secret: 'secret' in options ? options.secret : SECRET,
  });
  cleanup.add(`client ${options.name}`, () => client.close());
  return client;
}

/** Creates a client and waits for its first welcome. */
export async function connectClient(cleanup: Cleanup, port: number, options: TestClientOptions): Promise<TestClient> {
  const client = createClient(cleanup, port, options);
  await withTimeout(client.connect(), `${options.name} to connect`);
  return client;
}

/** Sends and waits for the ack, failing clearly if it does not come. */
export function sendAndAck(client: TeamClient, to: 'all' | string[], text: string, ms = WAIT_MS) {
  return withTimeout(client.send(to, text), `${client.name}: ack of "${text}"`, ms);
}

// ------------------------------------------------------------------------------------ raw clients

export interface RawHelloOptions {
  identity?: Identity;
  name?: string;
  machine?: string;
  /** Proof computed with this secret; undefined sends no proof. */
  secret?: string;
  instance?: string;
  v?: number;
  status?: PeerStatus;
  resume?: { epoch: string; seq: number };
  /** A watch set (sending one, even empty, says the client understands presence frames). */
  watch?: string[];
  /** Signs the transcript with this identity instead of `identity` (an impostor). */
  signWith?: Identity;
  /** Replaces the transcript that is signed (a bad signature). */
  signTranscript?: Buffer;
}

/**
 * A hand-driven client on a plain socket: sends whatever bytes a test wants and decodes what
 * the relay sends with the real codec; records file data frames too. Never answers pings unless
 * told to.
 */
export class RawClient {
  readonly messages: RelayMessage[] = [];
  /** Data frames received (payloads copied), and their file bytes (the digest frames excluded). */
  readonly data: Frame[] = [];
  dataBytes = 0;
  /** Decoding problems with what the relay sent (there should be none). */
  readonly decodeErrors: Error[] = [];
  readonly identity: Identity;
  readonly closed: Promise<void>;
  isClosed = false;
  /** Answer keepalive pings and peer pings by itself. */
  answerPings = false;
  /** How long the wait helpers wait when not told. */
  waitMs = WAIT_MS;
  private readonly events = new EventEmitter();
  private readonly decoder: FrameDecoder;

  constructor(readonly socket: net.Socket) {
    this.identity = generateIdentity();
    this.decoder = new FrameDecoder((frame) => {
      if (frame.kind === FrameKind.Data) {
        this.data.push({ ...frame, payload: Buffer.from(frame.payload) });
        if ((frame.flags & FrameFlag.End) === 0) this.dataBytes += frame.payload.length;
        this.events.emit('data');
        return;
      }
      try {
        const message = decodeRelayMessage(frame.payload);
        this.messages.push(message);
        if (this.answerPings && message.t === 'ping') this.send({ t: 'pong', n: message.n });
        if (this.answerPings && message.t === 'peer-ping') this.send({ t: 'peer-pong', to: message.from, n: message.n });
        this.events.emit('message', message);
      } catch (err) {
        this.decodeErrors.push(err as Error);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk);
      } catch (err) {
        this.decodeErrors.push(err as Error);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.events.emit('close');
        resolve();
      }),
    );
  }

  /** Opens a raw connection to the relay and waits until it is established. */
  static connect(cleanup: Cleanup, port: number): Promise<RawClient> {
    return openRawSocket(cleanup, port, (socket) => new RawClient(socket));
  }

  get clientId(): string {
    return this.identity.clientId;
  }

  /** Sends a protocol message (encoded by the real codec). */
  send(message: ClientMessage): void {
    this.socket.write(encodeControl(message));
  }

  /** Sends a data frame for a file stream (`end`: the last one, carrying the digest). */
  sendData(stream: number, payload: Buffer, end = false): void {
    this.socket.write(Buffer.concat([encodeHeader(FrameKind.Data, payload.length, stream, end ? FrameFlag.End : 0), payload]));
  }

  /** Sends any JSON value in a control frame (lets a test break the schema). */
  sendJson(value: unknown): void {
    this.socket.write(encodeFrame(FrameKind.Control, Buffer.from(JSON.stringify(value), 'utf8')));
  }

  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The first recorded or future message that passes `accept`. */
  waitFor<T extends RelayMessage = RelayMessage>(accept: (m: RelayMessage) => boolean, label: string, ms = this.waitMs): Promise<T> {
    return waitUntil(() => this.messages.find(accept) as T | undefined, this.events, ['message'], `raw client: ${label}`, ms);
  }

  waitForType<K extends RelayMessage['t']>(t: K, ms = this.waitMs): Promise<Extract<RelayMessage, { t: K }>> {
    return this.waitFor<Extract<RelayMessage, { t: K }>>((m) => m.t === t, `a "${t}" message`, ms);
  }

  /** The error frame the relay sent (waits for it). */
  waitForError(ms = this.waitMs): Promise<Extract<RelayMessage, { t: 'error' }>> {
    return this.waitForType('error', ms);
  }

  waitForDataBytes(n: number, ms = this.waitMs): Promise<true> {
    return waitUntil(() => this.dataBytes >= n || undefined, this.events, ['data'], `raw client: ${n} data bytes (have ${this.dataBytes})`, ms);
  }

  waitForData(accept: (f: Frame) => boolean, label: string, ms = this.waitMs): Promise<Frame> {
    return waitUntil(() => this.data.find(accept), this.events, ['data'], `raw client: ${label}`, ms);
  }

  waitClosed(ms = this.waitMs): Promise<void> {
    return withTimeout(this.closed, 'the relay to close the raw connection', ms);
  }

  /** A ping to the relay answered: everything this client sent before it has been processed. */
  async roundTrip(n: number): Promise<void> {
    this.send({ t: 'ping', n });
    await this.waitFor((m) => m.t === 'pong' && m.n === n, `pong ${n}`);
  }

  /** Answers the challenge with a hello built from `options`; does not wait for the welcome. */
  async hello(options: RawHelloOptions = {}): Promise<{ transcript: Buffer; challenge: Challenge }> {
    const challenge = await this.waitForType('challenge');
    const identity = options.identity ?? this.identity;
    const clientNonce = newNonce();
    const transcript = handshakeTranscript(challenge.nonce, clientNonce, identity.publicKey);
    const signer = options.signWith ?? identity;
    this.send({
      t: 'hello',
      v: options.v ?? PROTOCOL_VERSION,
      name: options.name ?? 'raw',
      machine: options.machine ?? 'raw-machine',
      publicKey: identity.publicKey,
      signature: signer.sign(options.signTranscript ?? transcript),
      clientNonce,
      ...(options.secret !== undefined ? { proof: proveSecret(options.secret, 'client', transcript) } : {}),
      instance: options.instance ?? 'raw-instance-' + Math.random().toString(36).slice(2, 10),
      ...(options.status ? { status: options.status } : {}),
      ...(options.resume ? { resume: options.resume } : {}),
      ...(options.watch ? { watch: options.watch } : {}),
    });
    return { transcript, challenge };
  }

  /** A full handshake with the test secret unless told otherwise; resolves with the welcome. */
  async handshake(options: RawHelloOptions = {}): Promise<Welcome> {
    await this.hello({ secret: SECRET, ...options });
    const reply = await this.waitFor((m) => m.t === 'welcome' || m.t === 'error', 'welcome');
    if (reply.t !== 'welcome') throw new Error(`raw handshake refused: ${JSON.stringify(reply)}`);
    return reply;
  }
}

// ------------------------------------------------------------------------------------ TCP proxy

interface ProxyPair {
  client: net.Socket;
  upstream: net.Socket;
  /** The client side was cut but the relay side is kept open (a half-dead connection). */
  severed: boolean;
  /** What the relay sent on this pair. */
  down: Buffer[];
}

export interface TcpProxyOptions {
  /** Keep every byte both ways (default). Off for big transfers: then only the counts are kept. */
  record?: boolean;
  /**
   * Rewrites client→relay traffic frame by frame (one instance per connection). Returns the
   * payload to forward (same length) — lets a test corrupt a file chunk on the wire.
   */
  rewriteUp?: () => (frame: Frame) => Buffer;
}

/**
 * A TCP proxy in front of the relay that records (or counts) every byte both ways and can
 * misbehave on demand: refuse connections, stop listening and listen again on the same port,
 * swallow what the relay sends, rewrite what the client sends, or cut connections (both sides,
 * or only the client side so the relay keeps a half-dead session).
 */
export class TcpProxy {
  readonly up: Buffer[] = [];
  readonly down: Buffer[] = [];
  upBytes = 0;
  downBytes = 0;
  readonly pairs = new Set<ProxyPair>();
  /** Accepted connections are closed at once (the relay looks unreachable). */
  refusing = false;
  /** Bytes from the relay are read and dropped instead of forwarded. */
  swallowDownstream = false;
  port = 0;
  /** Connections accepted so far (a client's connection attempts through the proxy). */
  connections = 0;
  private server: net.Server | undefined;

  constructor(
    readonly targetPort: number,
    private readonly options: TcpProxyOptions = {},
  ) {}

  static async start(cleanup: Cleanup, targetPort: number, options: TcpProxyOptions = {}): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort, options);
    cleanup.add('proxy', () => proxy.close());
    await proxy.listen();
    return proxy;
  }

  /** Listens (again, after stopListening(), on the same port). */
  async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, HOST, () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** Stops listening (connection attempts are refused by the OS) and cuts everything: an outage. */
  async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.cutAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Everything recorded, both directions. */
  allBytes(): Buffer {
    return Buffer.concat([...this.up, ...this.down]);
  }

  /** Destroys every connection, both sides. */
  cutAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Destroys the client sides only; the relay still sees the old connections as open. */
  severClientSides(): ProxyPair[] {
    const severed: ProxyPair[] = [];
    for (const pair of this.pairs) {
      if (pair.severed) continue;
      pair.severed = true;
      pair.client.destroy();
      severed.push(pair);
    }
    return severed;
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  private accept(client: net.Socket): void {
    this.connections++;
    client.on('error', () => {});
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: HOST, port: this.targetPort });
    upstream.on('error', () => {});
    const pair: ProxyPair = { client, upstream, severed: false, down: [] };
    this.pairs.add(pair);
    const record = this.options.record ?? true;
    const rewrite = this.options.rewriteUp?.();
    const decoder = rewrite
      ? new FrameDecoder((frame) => {
          const payload = rewrite(frame);
          upstream.write(Buffer.concat([encodeHeader(frame.kind, payload.length, frame.stream, frame.flags), payload]));
        })
      : undefined;
    client.on('data', (chunk: Buffer) => {
      this.upBytes += chunk.length;
      if (record) this.up.push(chunk);
      if (decoder) decoder.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      this.downBytes += chunk.length;
      if (record) {
        this.down.push(chunk);
        pair.down.push(chunk);
      }
      if (!this.swallowDownstream && !pair.severed) client.write(chunk);
    });
    client.on('close', () => {
      if (!pair.severed) {
        upstream.destroy();
        this.pairs.delete(pair);
      }
    });
    upstream.on('close', () => {
      client.destroy();
      this.pairs.delete(pair);
    });
  }
}

/** Decodes the relay's frames in a recorded byte stream. */
export function decodeRelayStream(chunks: Buffer[]): RelayMessage[] {
  const out: RelayMessage[] = [];
  const decoder = new FrameDecoder((frame) => out.push(decodeRelayMessage(frame.payload)));
  for (const chunk of chunks) decoder.push(chunk);
  return out;
}

// ------------------------------------------------------------------------------------ relay in a child process

/**
 * A relay in its own process, so a test can kill it with SIGKILL (a real crash: no graceful
 * shutdown, no final flush), stop it gracefully, or load it with thousands of clients without
 * sharing their event loop. Options must be JSON (no logger: the child counts its log lines,
 * see `stats`).
 */
export class RelayProcess {
  constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly epoch: string,
    readonly exited: Promise<void>,
  ) {}

  /** `fileSizeKiB`: its files may grow to this at most (RLIMIT_FSIZE, as `ulimit -f`): past it
   *  every write fails with EFBIG, as on a full disk. */
  static async start(cleanup: Cleanup, options: Omit<TestRelayOptions, 'logger'>, limits: { fileSizeKiB?: number } = {}): Promise<RelayProcess> {
    const limited = limits.fileSizeKiB
      ? { execPath: '/bin/bash', execArgv: ['-c', `ulimit -f ${limits.fileSizeKiB} && exec "${process.execPath}" "$@"`, 'bash'] }
      : {};
    const child = fork(path.join(__dirname, 'relayProcess.js'), [JSON.stringify({ ...TEST_RELAY_DEFAULTS, host: HOST, port: 0, ...options })], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      ...limited,
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanup.add('relay process', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    });
    const ready = await withTimeout(
      new Promise<{ port: number; epoch: string }>((resolve, reject) => {
        child.once('message', (m: RelayProcessReply) => (m.t === 'ready' ? resolve(m) : reject(new Error(`relay process said ${m.t} first`))));
        child.once('exit', (code) => reject(new Error(`relay process exited early with ${code}`)));
      }),
      'the relay process to listen',
      10_000,
    );
    // The IPC channel stays open: the child exits by itself if this process goes away.
    return new RelayProcess(child, ready.port, ready.epoch, exited);
  }

  /** Kills the relay process at once and waits until it is gone. */
  async crash(): Promise<void> {
    this.child.kill('SIGKILL');
    await withTimeout(this.exited, 'the relay process to die');
  }

  /** Stops the relay gracefully (clients are told it is shutting down) and waits until the process is gone. */
  async stop(ms = WAIT_MS): Promise<void> {
    this.request({ t: 'stop' });
    await withTimeout(this.exited, 'the relay process to stop', ms);
  }

  /** What the relay counted so far (log lines by message, evictions, its longest event-loop stall). */
  stats(ms = WAIT_MS): Promise<RelayProcessStats> {
    let onMessage: ((m: RelayProcessReply) => void) | undefined;
    const answer = new Promise<RelayProcessStats>((resolve) => {
      onMessage = (m: RelayProcessReply) => {
        if (m.t === 'stats') resolve(m.stats);
      };
      this.child.on('message', onMessage);
    });
    this.request({ t: 'stats' });
    return withTimeout(answer, 'figures from the relay process', ms).finally(() => this.child.off('message', onMessage!));
  }

  private request(request: RelayProcessRequest): void {
    this.child.send(request);
  }
}

// ------------------------------------------------------------------------------------ misc

/** Deterministic pseudo-random bytes (mulberry32), independent of other helpers. */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** A seeded random() in [0, 1) for code that takes one (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
