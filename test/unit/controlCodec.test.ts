import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { decodeClientMessage, decodeRelayMessage, encodeControl } from '../../src/net/controlCodec';
import { ErrorCode, ProtocolError } from '../../src/net/errors';
import { Frame, FrameKind, HEADER_BYTES } from '../../src/net/frame';
import { FrameDecoder } from '../../src/net/frameDecoder';
import { ClientMessage, KnownPeer, Limits, PROTOCOL_VERSION, PeerInfo, RelayMessage } from '../../src/net/messages';
import { Prng } from './helpers/prng';

// ---------------------------------------------------------------------------------------------
// Realistic values, derived deterministically the way the real ones are shaped: a client id is a
// base64url SHA-256 (43 chars), an Ed25519 public key is 32 bytes (43 base64url chars), a
// signature 64 bytes (86 chars), a nonce base64 of random bytes, a proof a hex HMAC-SHA-256.

function digest(seed: string, algorithm: 'sha256' | 'sha512', encoding: 'base64url' | 'base64' | 'hex'): string {
  return createHash(algorithm).update(seed).digest(encoding);
}

const ALICE = digest('alice', 'sha256', 'base64url');
const BOB = digest('bob', 'sha256', 'base64url');
const CAROL = digest('carol', 'sha256', 'base64url');
const PUBLIC_KEY = digest('alice public key', 'sha256', 'base64url');
const SIGNATURE = digest('handshake transcript', 'sha512', 'base64url');
const CLIENT_NONCE = digest('client nonce', 'sha256', 'base64'); // has '=' padding
const RELAY_NONCE = digest('relay nonce', 'sha256', 'base64url');
const PROOF = digest('team secret proof', 'sha256', 'hex');

const CLIENT_TYPES = ['hello', 'send', 'ping', 'pong', 'status', 'bye', 'peer-ping', 'peer-pong', 'offer', 'answer', 'credit', 'file-result', 'cancel', 'typing'];
const RELAY_TYPES = [
  'challenge',
  'welcome',
  'joined',
  'left',
  'peer',
  'message',
  'ack',
  'error',
  'ping',
  'pong',
  'shutdown',
  'peer-ping',
  'peer-pong',
  'offer',
  'offer-sent',
  'answered',
  'credit',
  'file-result',
  'cancel',
  'typing',
];
const TRANSFER_KEY = 'key_7Hq2LmN9pQ4rS1tV';
const FILES = [
  { name: 'src/app.ts', size: 1234 },
  { name: 'docs/read me (final) ✓.md', size: 0 },
  { name: 'assets/video.mp4', size: 4_294_967_296 },
];
const ALL_CODES = new Set<string>(Object.values(ErrorCode));

const alicePeer: PeerInfo = {
  id: 3,
  clientId: ALICE,
  name: 'Alice Żółć',
  machine: 'alice-mbp.local',
  address: '192.168.1.23:52144',
  status: 'online',
  since: 1_717_000_000_000,
  rtt: 1.25,
};
const bobPeer: PeerInfo = {
  id: 4,
  clientId: BOB,
  name: '李雷',
  machine: '',
  address: '[::1]:60000',
  status: 'busy',
  since: 1_717_000_000_500,
};
const carolKnown: KnownPeer = { clientId: CAROL, name: 'Carol', machine: 'carol-pc', lastSeen: 1_716_999_000_000 };

const CLIENT_SAMPLES: ClientMessage[] = [
  {
    t: 'hello',
    v: PROTOCOL_VERSION,
    name: 'Zoë Müller',
    machine: 'zoe-laptop (Ubuntu 24.04)',
    publicKey: PUBLIC_KEY,
    signature: SIGNATURE,
    clientNonce: CLIENT_NONCE,
    proof: PROOF,
    instance: 'inst_9f8e7d6c',
    status: 'away',
    resume: { epoch: 'epoch-2024-06-01T10:00:00Z', seq: 41 },
  },
  { t: 'hello', v: 0, name: 'bob', machine: '', publicKey: PUBLIC_KEY, signature: SIGNATURE, clientNonce: RELAY_NONCE, instance: 'abcdefgh' },
  {
    t: 'send',
    ref: 'r-0001',
    to: 'all',
    text: 'Build is green ✅\nsee below:\n\t<script>alert(1)</script> 😀 \u202eevil',
    code: { path: 'src/net/frameDecoder.ts', startLine: 10, endLine: 42, language: 'typescript' },
  },
  { t: 'send', ref: 'x', to: [BOB, CAROL], text: '' },
  { t: 'send', ref: 'r'.repeat(Limits.refChars), to: Array.from({ length: Limits.targets }, (_, i) => `client_${String(i).padStart(12, '0')}`), text: 'y'.repeat(Limits.textChars) },
  { t: 'ping', n: 0 },
  { t: 'ping', n: Number.MAX_SAFE_INTEGER },
  { t: 'pong', n: 17 },
  { t: 'status', status: 'online' },
  { t: 'status', status: 'busy' },
  { t: 'bye' },
  { t: 'peer-ping', to: BOB, n: 1 },
  { t: 'peer-pong', to: ALICE, n: 99 },
  { t: 'offer', ref: 'o-1', to: BOB, key: TRANSFER_KEY, files: FILES },
  { t: 'answer', transfer: 'tr_0001', accept: true, offsets: [0, 0, 1_048_576] },
  { t: 'answer', transfer: 'tr_0001', accept: false, reason: 'no space left' },
  { t: 'credit', stream: 1, bytes: 1_048_576 },
  { t: 'credit', stream: 0xffffffff, bytes: 2 ** 31 },
  { t: 'file-result', stream: 2, ok: true },
  { t: 'file-result', stream: 3, ok: false, code: 'CHECKSUM_MISMATCH', message: 'sha-256 differs' },
  { t: 'cancel', transfer: 'tr_0001', reason: 'cancelled by the user', code: 'CANCELLED', resumable: false },
  { t: 'cancel', transfer: 'T', reason: '' },
  { t: 'typing', to: 'all' },
  { t: 'typing', to: [BOB] },
];

const RELAY_SAMPLES: RelayMessage[] = [
  { t: 'challenge', v: PROTOCOL_VERSION, nonce: RELAY_NONCE, auth: true },
  { t: 'challenge', v: PROTOCOL_VERSION, nonce: CLIENT_NONCE, auth: false },
  {
    t: 'welcome',
    id: 3,
    clientId: ALICE,
    epoch: 'e-7f3a',
    seq: 1204,
    proof: PROOF,
    peers: [alicePeer, bobPeer],
    known: [carolKnown],
    pingIntervalMs: 15_000,
    idleTimeoutMs: 45_000,
    maxPayload: 2 * 1024 * 1024,
  },
  { t: 'welcome', id: 0, clientId: BOB, epoch: '', seq: 0, peers: [], known: [], pingIntervalMs: 0, idleTimeoutMs: 0, maxPayload: 0 },
  { t: 'joined', peer: bobPeer },
  { t: 'left', id: 4, clientId: BOB, name: '李雷', reason: 'connection lost' },
  { t: 'peer', peer: { ...alicePeer, status: 'away', rtt: 0 } },
  {
    t: 'message',
    id: 'e-7f3a:1205',
    seq: 1205,
    ts: 1_717_000_001_000,
    from: ALICE,
    fromName: 'Alice Żółć',
    to: 'all',
    text: 'multi\nline <b>not markup</b> "quoted" \\ backslash',
    code: { path: 'README.md', startLine: 1, endLine: 1, language: '' },
    replay: true,
  },
  { t: 'message', id: 'm2', seq: 1, ts: 0, from: BOB, fromName: 'bob', to: [ALICE], text: 'hi' },
  { t: 'ack', ref: 'r-0001', id: 'e-7f3a:1205', seq: 1205, ts: 1_717_000_001_000, reached: 2, online: [BOB], offline: [CAROL] },
  { t: 'ack', ref: 'x', id: '', seq: 0, ts: 0, reached: 0, online: [], offline: [] },
  { t: 'error', code: ErrorCode.NoSuchPeer, message: 'no peer named "dave"', ref: 'r-0002', fatal: false },
  { t: 'error', code: ErrorCode.AuthFailed, message: 'bad proof', fatal: true },
  { t: 'ping', n: 5 },
  { t: 'pong', n: 5 },
  { t: 'shutdown', reason: 'relay restarting' },
  { t: 'peer-ping', from: ALICE, n: 7 },
  { t: 'peer-pong', from: BOB, n: 7 },
  { t: 'offer', transfer: 'tr_0001', from: ALICE, fromName: 'Alice Żółć', key: TRANSFER_KEY, files: FILES, expiresAt: 1_717_000_060_000 },
  { t: 'offer-sent', ref: 'o-1', transfer: 'tr_0001', expiresAt: 1_717_000_060_000 },
  {
    t: 'answered',
    transfer: 'tr_0001',
    accept: true,
    streams: [
      { index: 0, stream: 1, offset: 0 },
      { index: 2, stream: 0xffffffff, offset: 1_048_576 },
    ],
  },
  { t: 'answered', transfer: 'tr_0001', accept: false, reason: 'declined' },
  { t: 'credit', stream: 9, bytes: 65_536 },
  { t: 'file-result', stream: 9, ok: true },
  { t: 'cancel', transfer: 'tr_0001', reason: 'sender disconnected', resumable: true },
  { t: 'typing', from: ALICE, fromName: 'alice', to: [BOB] },
];

// ---------------------------------------------------------------------------------------------

/** Frames `bytes` through a FrameDecoder fed in small pieces, returning the frames. */
function deframe(bytes: Buffer, piece = 7): Frame[] {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder((frame) => frames.push(frame));
  for (let i = 0; i < bytes.length; i += piece) decoder.push(bytes.subarray(i, i + piece));
  assert.equal(decoder.bufferedBytes, 0);
  return frames;
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** The error must be a ProtocolError with a known code, the expected one, and a readable message. */
function assertProtocolError(err: unknown, code: ErrorCode, context: string): ProtocolError {
  if (!(err instanceof ProtocolError)) {
    assert.fail(`${context}: expected ProtocolError ${code}, got ${err === undefined ? 'no error' : String((err as Error)?.stack ?? err)}`);
  }
  assert.ok(ALL_CODES.has(err.code), `${context}: code ${err.code} is not an ErrorCode`);
  assert.equal(err.code, code, `${context}: code (message: ${err.message})`);
  assertReadable(err, context);
  return err;
}

function assertReadable(err: ProtocolError, context: string): void {
  assert.equal(err.name, 'ProtocolError');
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.trim().length > 0, `${context}: empty message`);
  assert.ok(err.message.length < 600, `${context}: message of ${err.message.length} chars`);
  assert.ok(!err.message.includes('[object Object]'), `${context}: unreadable message ${err.message}`);
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

describe('controlCodec: round trips', () => {
  it('the samples cover every message type of both directions', () => {
    assert.deepEqual(
      ClientMessage.options.map((o) => o.shape.t.value),
      CLIENT_TYPES,
    );
    assert.deepEqual(
      RelayMessage.options.map((o) => o.shape.t.value),
      RELAY_TYPES,
    );
    assert.deepEqual([...new Set(CLIENT_SAMPLES.map((m) => m.t))].sort(), [...CLIENT_TYPES].sort());
    assert.deepEqual([...new Set(RELAY_SAMPLES.map((m) => m.t))].sort(), [...RELAY_TYPES].sort());
  });

  it('sample values are shaped like the real ones', () => {
    assert.match(ALICE, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(PUBLIC_KEY.length, 43);
    assert.equal(SIGNATURE.length, 86);
    assert.ok(CLIENT_NONCE.endsWith('='));
    assert.match(PROOF, /^[0-9a-f]{64}$/);
  });

  for (const message of CLIENT_SAMPLES) {
    it(`client -> relay: ${message.t} ${JSON.stringify(message).slice(0, 60)}`, () => {
      const bytes = encodeControl(message);
      const payloadLength = Buffer.byteLength(JSON.stringify(message), 'utf8');
      // Header: u32 BE byte length (not char length), Control, no flags, stream 0.
      assert.equal(bytes.length, HEADER_BYTES + payloadLength);
      assert.deepEqual([...bytes.subarray(0, HEADER_BYTES)], [...u32(payloadLength), 1, 0, 0, 0, 0, 0]);
      const frames = deframe(bytes);
      assert.equal(frames.length, 1);
      assert.equal(frames[0].kind, FrameKind.Control);
      assert.equal(frames[0].flags, 0);
      assert.equal(frames[0].stream, 0);
      assert.deepStrictEqual(decodeClientMessage(frames[0].payload), message);
    });
  }

  for (const message of RELAY_SAMPLES) {
    it(`relay -> client: ${message.t} ${JSON.stringify(message).slice(0, 60)}`, () => {
      const frames = deframe(encodeControl(message));
      assert.equal(frames.length, 1);
      assert.equal(frames[0].kind, FrameKind.Control);
      assert.equal(frames[0].stream, 0);
      assert.deepStrictEqual(decodeRelayMessage(frames[0].payload), message);
    });
  }

  it('a stream of every message, pushed one byte at a time, decodes in order', () => {
    // The limit-sized sample (256 Ki chars) is left out to keep this fast: one byte at a time it
    // is 262,000 pushes for one frame. The cost of many tiny chunks has its own test in
    // frameDecoder.test.ts ('reassembles a frame from many small chunks in linear time').
    const clients = CLIENT_SAMPLES.filter((m) => JSON.stringify(m).length < 4096);
    assert.equal(clients.length, CLIENT_SAMPLES.length - 1);
    const bytes = Buffer.concat([...clients, ...RELAY_SAMPLES].map(encodeControl));
    const frames = deframe(bytes, 1);
    assert.equal(frames.length, clients.length + RELAY_SAMPLES.length);
    clients.forEach((m, i) => assert.deepStrictEqual(decodeClientMessage(frames[i].payload), m));
    RELAY_SAMPLES.forEach((m, i) => assert.deepStrictEqual(decodeRelayMessage(frames[clients.length + i].payload), m));
  });

  it('messages of one direction are refused by the other direction', () => {
    const hello = encodeControl(CLIENT_SAMPLES[0]).subarray(HEADER_BYTES);
    assertProtocolError(
      caught(() => decodeRelayMessage(hello)),
      ErrorCode.UnknownType,
      'hello to a client',
    );
    const welcome = encodeControl(RELAY_SAMPLES[2]).subarray(HEADER_BYTES);
    assertProtocolError(
      caught(() => decodeClientMessage(welcome)),
      ErrorCode.UnknownType,
      'welcome to the relay',
    );
    // Same type name, different fields: the relay sends `from`, a client sends `to`.
    assertProtocolError(
      caught(() => decodeRelayMessage(json({ t: 'peer-ping', to: BOB, n: 1 }))),
      ErrorCode.BadMessage,
      'peer-ping with to, to a client',
    );
    assertProtocolError(
      caught(() => decodeClientMessage(json({ t: 'peer-ping', from: BOB, n: 1 }))),
      ErrorCode.BadMessage,
      'peer-ping with from, to the relay',
    );
  });

  it('strips unknown fields and keeps hostile strings verbatim (text is data, not markup)', () => {
    const hostile = [
      '<script>alert(document.cookie)</script>',
      '<img src=x onerror=alert(1)>',
      '"); DROP TABLE messages; --',
      '${process.exit()}',
      '{"t":"bye"}',
      '\u0000\u0007\u001b[31mred\u001b[0m\r\n',
      '\u202e\u200b\ufeff',
      '\ud800 lone surrogate',
      '../../../../etc/passwd',
    ];
    for (const text of hostile) {
      const message = decodeClientMessage(json({ t: 'send', ref: 'h', to: 'all', text, extra: { nested: true } }));
      assert.deepStrictEqual(message, { t: 'send', ref: 'h', to: 'all', text });
    }
    // Names only refuse control characters and edge spaces; markup is just characters.
    const name = '<b onmouseover="x()">Mallory</b>';
    const left = decodeRelayMessage(json({ t: 'left', id: 1, clientId: CAROL, name, reason: '<script>' }));
    assert.deepStrictEqual(left, { t: 'left', id: 1, clientId: CAROL, name, reason: '<script>' });
    assert.deepStrictEqual(decodeClientMessage(json({ t: 'bye', extra: 1, n: 'x' })), { t: 'bye' });
    // Offered file names are the sender's words; making them safe is the receiver's job (transfer/).
    const files = [{ name: '../../.ssh/authorized_keys', size: 1 }, { name: 'C:\\Windows\\x.dll', size: 2 }, { name: '<script>.txt', size: 3 }];
    assert.deepStrictEqual(decodeClientMessage(json({ t: 'offer', ref: 'o', to: BOB, key: TRANSFER_KEY, files })), { t: 'offer', ref: 'o', to: BOB, key: TRANSFER_KEY, files });
  });

  it('JSON semantics: with duplicate keys the last one wins, escapes are decoded', () => {
    assert.deepStrictEqual(decodeClientMessage(Buffer.from('{"t":"ping","n":1,"n":2}')), { t: 'ping', n: 2 });
    assert.deepStrictEqual(decodeClientMessage(Buffer.from('{"t":"nope","t":"pong","n":3}')), { t: 'pong', n: 3 });
    assert.deepStrictEqual(decodeClientMessage(Buffer.from('{"\\u0074":"\\u0070ing","n":1e0}')), { t: 'ping', n: 1 });
    assert.deepStrictEqual(decodeClientMessage(Buffer.from(' \r\n\t{"t":"bye"}\n ')), { t: 'bye' });
  });

  it('invalid UTF-8 anywhere in a control frame is BAD_JSON, never silently replaced', () => {
    // Control frames carry UTF-8: a strict decoder refuses bad sequences instead of turning them
    // into U+FFFD, so what a peer signs, sends and sees is byte-for-byte what was written.
    for (const bad of [[0xff], [0xc0, 0xa2], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      const payload = Buffer.concat([Buffer.from('{"t":"send","ref":"u","to":"all","text":"a'), Buffer.from(bad), Buffer.from('b"}')]);
      const err = caught(() => decodeClientMessage(payload));
      assert.ok(err instanceof ProtocolError, `bytes ${bad.join(',')}`);
      assert.equal(err.code, ErrorCode.BadJson, `bytes ${bad.join(',')}`);
    }
    // Valid multi-byte text is untouched.
    const ok = decodeClientMessage(Buffer.from('{"t":"send","ref":"u","to":"all","text":"héllo ✓ 𝄞"}', 'utf8'));
    assert.ok(ok.t === 'send' && ok.text === 'héllo ✓ 𝄞');
  });
});

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

// ---------------------------------------------------------------------------------------------

describe('controlCodec: malformed input', () => {
  interface BadCase {
    name: string;
    payload: Buffer | string;
    code: ErrorCode;
    /** Which decoder; client (decodeClientMessage) unless said. */
    relay?: boolean;
  }

  const ping = { t: 'ping', n: 1 };
  const send = { t: 'send', ref: 'r1', to: 'all', text: 'hi' };
  const hello = CLIENT_SAMPLES[0];
  const welcome = RELAY_SAMPLES[2];
  const offer = { t: 'offer', ref: 'o-1', to: BOB, key: TRANSFER_KEY, files: FILES };
  const withField = (base: object, key: string, value: unknown): string => JSON.stringify({ ...base, [key]: value });
  const without = (base: object, key: string): string => JSON.stringify(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)));
  const helloWith = (key: string, value: unknown) => withField(hello, key, value);
  const tooManyTargets = Array.from({ length: Limits.targets + 1 }, (_, i) => `client_${String(i).padStart(12, '0')}`);

  const cases: BadCase[] = [
    // Not JSON at all.
    { name: 'plain text', payload: 'hello relay', code: ErrorCode.BadJson },
    { name: 'empty payload', payload: '', code: ErrorCode.BadJson },
    { name: 'only whitespace', payload: ' \n\t ', code: ErrorCode.BadJson },
    { name: 'truncated object', payload: '{"t":"ping","n":1', code: ErrorCode.BadJson },
    { name: 'truncated inside a string', payload: '{"t":"send","ref":"r1","to":"all","text":"hel', code: ErrorCode.BadJson },
    { name: 'trailing comma', payload: '{"t":"ping","n":1,}', code: ErrorCode.BadJson },
    { name: 'single quotes', payload: "{'t':'ping','n':1}", code: ErrorCode.BadJson },
    { name: 'unquoted keys', payload: '{t:"ping",n:1}', code: ErrorCode.BadJson },
    { name: 'NaN literal', payload: '{"t":"ping","n":NaN}', code: ErrorCode.BadJson },
    { name: 'two objects in one frame', payload: '{"t":"ping","n":1}{"t":"ping","n":2}', code: ErrorCode.BadJson },
    { name: 'trailing comment', payload: '{"t":"ping","n":1} // hi', code: ErrorCode.BadJson },
    { name: 'raw newline inside a string', payload: '{"t":"send","ref":"r","to":"all","text":"a\nb"}', code: ErrorCode.BadJson },
    { name: 'NUL after the object', payload: Buffer.from('{"t":"ping","n":1}\u0000'), code: ErrorCode.BadJson },
    { name: 'UTF-8 byte order mark', payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"t":"ping","n":1}')]), code: ErrorCode.BadJson },
    { name: 'invalid UTF-8 byte after the object', payload: Buffer.concat([Buffer.from('{"t":"ping","n":1}'), Buffer.from([0xff])]), code: ErrorCode.BadJson },
    { name: 'invalid UTF-8 instead of a quote (overlong C0 A2)', payload: Buffer.concat([Buffer.from('{'), Buffer.from([0xc0, 0xa2]), Buffer.from('t":"ping","n":1}')]), code: ErrorCode.BadJson },
    { name: 'lone continuation bytes', payload: Buffer.from([0x80, 0x81, 0xbf]), code: ErrorCode.BadJson },
    { name: 'UTF-16LE encoded JSON', payload: Buffer.from('{"t":"ping","n":1}', 'utf16le'), code: ErrorCode.BadJson },
    // JSON, but not an object.
    { name: 'JSON array', payload: '[]', code: ErrorCode.BadMessage },
    { name: 'JSON array holding a valid message', payload: '[{"t":"ping","n":1}]', code: ErrorCode.BadMessage },
    { name: 'JSON number', payload: '42', code: ErrorCode.BadMessage },
    { name: 'JSON -0', payload: '-0', code: ErrorCode.BadMessage },
    { name: 'JSON null', payload: 'null', code: ErrorCode.BadMessage },
    { name: 'JSON true', payload: 'true', code: ErrorCode.BadMessage },
    { name: 'JSON string', payload: '"ping"', code: ErrorCode.BadMessage },
    { name: 'JSON string holding an object', payload: JSON.stringify(JSON.stringify(ping)), code: ErrorCode.BadMessage },
    { name: 'deeply nested array', payload: '['.repeat(50_000) + ']'.repeat(50_000), code: ErrorCode.BadMessage },
    // Missing or unknown type.
    { name: 'empty object', payload: '{}', code: ErrorCode.UnknownType },
    { name: 'missing t', payload: '{"n":1}', code: ErrorCode.UnknownType },
    { name: 'unknown t', payload: '{"t":"nope","n":1}', code: ErrorCode.UnknownType },
    { name: 't in the wrong case', payload: '{"t":"PING","n":1}', code: ErrorCode.UnknownType },
    { name: 't with a trailing space', payload: '{"t":"ping ","n":1}', code: ErrorCode.UnknownType },
    { name: 'empty t', payload: '{"t":"","n":1}', code: ErrorCode.UnknownType },
    { name: 'numeric t', payload: '{"t":1,"n":1}', code: ErrorCode.UnknownType },
    { name: 'null t', payload: '{"t":null}', code: ErrorCode.UnknownType },
    { name: 'array t', payload: '{"t":["ping"],"n":1}', code: ErrorCode.UnknownType },
    { name: 'object t', payload: '{"t":{"toString":"ping"},"n":1}', code: ErrorCode.UnknownType },
    { name: 't "__proto__"', payload: '{"t":"__proto__"}', code: ErrorCode.UnknownType },
    { name: 't "constructor"', payload: '{"t":"constructor"}', code: ErrorCode.UnknownType },
    { name: 't "toString"', payload: '{"t":"toString"}', code: ErrorCode.UnknownType },
    { name: 'a 100,000-char t (message stays short)', payload: JSON.stringify({ t: 'x'.repeat(100_000) }), code: ErrorCode.UnknownType },
    { name: 'the message hidden in "__proto__"', payload: '{"__proto__":{"t":"ping","n":1}}', code: ErrorCode.UnknownType },
    { name: 'relay-only type to the relay', payload: JSON.stringify(welcome), code: ErrorCode.UnknownType },
    { name: 'client-only type to a client', payload: JSON.stringify(hello), code: ErrorCode.UnknownType, relay: true },
    { name: 'unknown t to a client', payload: '{"t":"hello!"}', code: ErrorCode.UnknownType, relay: true },
    // Wrong field types and ranges.
    { name: 'ping without n', payload: '{"t":"ping"}', code: ErrorCode.BadMessage },
    { name: 'n as a string', payload: withField(ping, 'n', '1'), code: ErrorCode.BadMessage },
    { name: 'n null', payload: withField(ping, 'n', null), code: ErrorCode.BadMessage },
    { name: 'n boolean', payload: withField(ping, 'n', true), code: ErrorCode.BadMessage },
    { name: 'n an array', payload: withField(ping, 'n', [1]), code: ErrorCode.BadMessage },
    { name: 'negative counter', payload: withField(ping, 'n', -1), code: ErrorCode.BadMessage },
    { name: 'fractional counter', payload: withField(ping, 'n', 1.5), code: ErrorCode.BadMessage },
    { name: 'counter -0 (would re-encode as 0)', payload: '{"t":"ping","n":-0}', code: ErrorCode.BadMessage },
    { name: 'file size -0', payload: '{"t":"offer","ref":"o","to":"' + BOB + '","key":"' + TRANSFER_KEY + '","files":[{"name":"f","size":-0}]}', code: ErrorCode.BadMessage },
    { name: 'counter 1e400 (Infinity)', payload: '{"t":"ping","n":1e400}', code: ErrorCode.BadMessage },
    { name: 'counter above 2^53', payload: '{"t":"pong","n":9007199254740993}', code: ErrorCode.BadMessage },
    { name: 'negative hello version', payload: helloWith('v', -1), code: ErrorCode.BadMessage },
    { name: 'negative resume seq', payload: helloWith('resume', { epoch: 'e', seq: -5 }), code: ErrorCode.BadMessage },
    { name: 'unknown status', payload: '{"t":"status","status":"offline"}', code: ErrorCode.BadMessage },
    { name: 'status missing', payload: '{"t":"status"}', code: ErrorCode.BadMessage },
    { name: 'send text as a number', payload: withField(send, 'text', 5), code: ErrorCode.BadMessage },
    { name: 'send without text', payload: without(send, 'text'), code: ErrorCode.BadMessage },
    { name: `text of Limits.textChars + 1 (${Limits.textChars + 1}) chars`, payload: withField(send, 'text', 'a'.repeat(Limits.textChars + 1)), code: ErrorCode.BadMessage },
    { name: 'to a bare word', payload: withField(send, 'to', 'everyone'), code: ErrorCode.BadMessage },
    { name: 'to an empty list', payload: withField(send, 'to', []), code: ErrorCode.BadMessage },
    { name: `to ${Limits.targets + 1} targets`, payload: withField(send, 'to', tooManyTargets), code: ErrorCode.BadMessage },
    { name: 'to a short client id', payload: withField(send, 'to', ['short']), code: ErrorCode.BadMessage },
    { name: 'to a client id with a dot', payload: withField(send, 'to', [`${ALICE.slice(0, 20)}.x`]), code: ErrorCode.BadMessage },
    { name: 'to a client id of 65 chars', payload: withField(send, 'to', ['a'.repeat(65)]), code: ErrorCode.BadMessage },
    { name: 'empty ref', payload: withField(send, 'ref', ''), code: ErrorCode.BadMessage },
    { name: 'ref over Limits.refChars', payload: withField(send, 'ref', 'r'.repeat(Limits.refChars + 1)), code: ErrorCode.BadMessage },
    { name: 'code ref with line 0', payload: withField(send, 'code', { path: 'a.ts', startLine: 0, endLine: 1, language: 'ts' }), code: ErrorCode.BadMessage },
    { name: 'code ref with an empty path', payload: withField(send, 'code', { path: '', startLine: 1, endLine: 1, language: 'ts' }), code: ErrorCode.BadMessage },
    { name: 'code ref as a string', payload: withField(send, 'code', 'a.ts:1'), code: ErrorCode.BadMessage },
    { name: 'public key of 42 chars', payload: helloWith('publicKey', PUBLIC_KEY.slice(1)), code: ErrorCode.BadMessage },
    { name: 'public key in standard base64', payload: helloWith('publicKey', `+${PUBLIC_KEY.slice(1)}`), code: ErrorCode.BadMessage },
    { name: 'signature of 85 chars', payload: helloWith('signature', SIGNATURE.slice(1)), code: ErrorCode.BadMessage },
    { name: 'nonce of 15 chars', payload: helloWith('clientNonce', 'a'.repeat(15)), code: ErrorCode.BadMessage },
    { name: 'nonce of 129 chars', payload: helloWith('clientNonce', 'a'.repeat(129)), code: ErrorCode.BadMessage },
    { name: 'nonce with a space', payload: helloWith('clientNonce', `${CLIENT_NONCE.slice(0, 20)} ${CLIENT_NONCE.slice(21)}`), code: ErrorCode.BadMessage },
    { name: 'proof in upper-case hex', payload: helloWith('proof', PROOF.toUpperCase()), code: ErrorCode.BadMessage },
    { name: 'proof of 63 hex chars', payload: helloWith('proof', PROOF.slice(1)), code: ErrorCode.BadMessage },
    { name: 'instance of 7 chars', payload: helloWith('instance', 'abcdefg'), code: ErrorCode.BadMessage },
    { name: 'hello without signature', payload: without(hello, 'signature'), code: ErrorCode.BadMessage },
    { name: 'peer-ping to a bad id', payload: '{"t":"peer-ping","to":"../../x","n":1}', code: ErrorCode.BadMessage },
    // Display names.
    { name: 'empty name', payload: helloWith('name', ''), code: ErrorCode.BadMessage },
    { name: 'name with a newline', payload: helloWith('name', 'Mal\nlory'), code: ErrorCode.BadMessage },
    { name: 'name with a carriage return', payload: helloWith('name', 'Mallory\r'), code: ErrorCode.BadMessage },
    { name: 'name with a tab', payload: helloWith('name', 'Mal\tlory'), code: ErrorCode.BadMessage },
    { name: 'name with NUL', payload: helloWith('name', 'Mal\u0000lory'), code: ErrorCode.BadMessage },
    { name: 'name with an ANSI escape', payload: helloWith('name', '\u001b[31mred'), code: ErrorCode.BadMessage },
    { name: 'name with DEL', payload: helloWith('name', 'abc\u007f'), code: ErrorCode.BadMessage },
    { name: 'name with a zero-width space (Cf)', payload: helloWith('name', 'Ali\u200bce'), code: ErrorCode.BadMessage },
    { name: 'name with a right-to-left override (Cf)', payload: helloWith('name', 'Ali\u202ece'), code: ErrorCode.BadMessage },
    { name: 'name with a line separator', payload: helloWith('name', 'Ali\u2028ce'), code: ErrorCode.BadMessage },
    { name: 'name with a paragraph separator', payload: helloWith('name', 'Ali\u2029ce'), code: ErrorCode.BadMessage },
    { name: 'name with a leading space', payload: helloWith('name', ' Alice'), code: ErrorCode.BadMessage },
    { name: 'name with a trailing space', payload: helloWith('name', 'Alice '), code: ErrorCode.BadMessage },
    { name: 'name with a leading no-break space', payload: helloWith('name', '\u00a0Alice'), code: ErrorCode.BadMessage },
    { name: 'name of only spaces', payload: helloWith('name', '   '), code: ErrorCode.BadMessage },
    { name: `name of ${Limits.nameChars + 1} chars`, payload: helloWith('name', 'n'.repeat(Limits.nameChars + 1)), code: ErrorCode.BadMessage },
    { name: 'name as a number', payload: helloWith('name', 7), code: ErrorCode.BadMessage },
    { name: 'machine with a newline', payload: helloWith('machine', 'host\nname'), code: ErrorCode.BadMessage },
    { name: `machine of ${Limits.machineChars + 1} chars`, payload: helloWith('machine', 'm'.repeat(Limits.machineChars + 1)), code: ErrorCode.BadMessage },
    // Relay -> client.
    { name: 'welcome with a bad peer status', payload: JSON.stringify({ ...welcome, peers: [{ ...alicePeer, status: 'gone' }] }), code: ErrorCode.BadMessage, relay: true },
    { name: 'welcome with a peer name holding a newline', payload: JSON.stringify({ ...welcome, peers: [{ ...alicePeer, name: 'a\nb' }] }), code: ErrorCode.BadMessage, relay: true },
    { name: 'welcome with a negative rtt', payload: JSON.stringify({ ...welcome, peers: [{ ...alicePeer, rtt: -1 }] }), code: ErrorCode.BadMessage, relay: true },
    { name: 'welcome without known', payload: without(welcome, 'known'), code: ErrorCode.BadMessage, relay: true },
    { name: 'challenge auth as a string', payload: JSON.stringify({ t: 'challenge', v: 1, nonce: RELAY_NONCE, auth: 'yes' }), code: ErrorCode.BadMessage, relay: true },
    { name: 'message with replay as a string', payload: JSON.stringify({ ...RELAY_SAMPLES[7], replay: 'true' }), code: ErrorCode.BadMessage, relay: true },
    { name: 'message text over the limit', payload: JSON.stringify({ ...RELAY_SAMPLES[7], text: 'x'.repeat(Limits.textChars + 1) }), code: ErrorCode.BadMessage, relay: true },
    { name: 'error message over Limits.reasonChars', payload: JSON.stringify({ t: 'error', code: 'X', message: 'e'.repeat(Limits.reasonChars + 1), fatal: true }), code: ErrorCode.BadMessage, relay: true },
    { name: 'left reason over Limits.reasonChars', payload: JSON.stringify({ t: 'left', id: 1, clientId: BOB, name: 'b', reason: 'r'.repeat(Limits.reasonChars + 1) }), code: ErrorCode.BadMessage, relay: true },
    { name: 'ack with a negative seq', payload: JSON.stringify({ ...RELAY_SAMPLES[9], seq: -1 }), code: ErrorCode.BadMessage, relay: true },
    { name: 'ack without reached', payload: without(RELAY_SAMPLES[9], 'reached'), code: ErrorCode.BadMessage, relay: true },
    // File transfer.
    { name: 'offer with no files', payload: withField(offer, 'files', []), code: ErrorCode.BadMessage },
    { name: `offer of ${Limits.filesPerOffer + 1} files`, payload: withField(offer, 'files', Array.from({ length: Limits.filesPerOffer + 1 }, () => ({ name: 'f', size: 1 }))), code: ErrorCode.BadMessage },
    { name: 'offered file with an empty name', payload: withField(offer, 'files', [{ name: '', size: 1 }]), code: ErrorCode.BadMessage },
    { name: `offered file name of ${Limits.pathChars + 1} chars`, payload: withField(offer, 'files', [{ name: 'p'.repeat(Limits.pathChars + 1), size: 1 }]), code: ErrorCode.BadMessage },
    { name: 'offered file of negative size', payload: withField(offer, 'files', [{ name: 'f', size: -1 }]), code: ErrorCode.BadMessage },
    { name: 'offered file of fractional size', payload: withField(offer, 'files', [{ name: 'f', size: 0.5 }]), code: ErrorCode.BadMessage },
    { name: 'offered file larger than 2^53', payload: '{"t":"offer","ref":"o","to":"' + BOB + '","key":"' + TRANSFER_KEY + '","files":[{"name":"f","size":9007199254740993}]}', code: ErrorCode.BadMessage },
    { name: 'offer key of 15 chars', payload: withField(offer, 'key', 'k'.repeat(15)), code: ErrorCode.BadMessage },
    { name: 'offer to everyone', payload: withField(offer, 'to', 'all'), code: ErrorCode.BadMessage },
    { name: 'answer with a transfer id holding a slash', payload: '{"t":"answer","transfer":"a/b","accept":true}', code: ErrorCode.BadMessage },
    { name: 'answer with accept as a string', payload: '{"t":"answer","transfer":"a","accept":"yes"}', code: ErrorCode.BadMessage },
    { name: 'answer with a negative offset', payload: '{"t":"answer","transfer":"a","accept":true,"offsets":[-1]}', code: ErrorCode.BadMessage },
    { name: 'credit on stream 0 (the control stream)', payload: '{"t":"credit","stream":0,"bytes":1}', code: ErrorCode.BadMessage },
    { name: 'credit on stream 2^32', payload: '{"t":"credit","stream":4294967296,"bytes":1}', code: ErrorCode.BadMessage },
    { name: 'credit of 0 bytes', payload: '{"t":"credit","stream":1,"bytes":0}', code: ErrorCode.BadMessage },
    { name: 'credit of 2^31 + 1 bytes', payload: '{"t":"credit","stream":1,"bytes":2147483649}', code: ErrorCode.BadMessage },
    { name: 'file-result with ok as a number', payload: '{"t":"file-result","stream":1,"ok":1}', code: ErrorCode.BadMessage },
    { name: 'cancel without a reason', payload: '{"t":"cancel","transfer":"a"}', code: ErrorCode.BadMessage },
    { name: 'answered with stream 0', payload: '{"t":"answered","transfer":"a","accept":true,"streams":[{"index":0,"stream":0,"offset":0}]}', code: ErrorCode.BadMessage, relay: true },
    { name: 'offer-sent without expiresAt', payload: '{"t":"offer-sent","ref":"o","transfer":"a"}', code: ErrorCode.BadMessage, relay: true },
    { name: 'offer with a sender name holding a newline', payload: JSON.stringify({ ...RELAY_SAMPLES.find((m) => m.t === 'offer'), fromName: 'a\nb' }), code: ErrorCode.BadMessage, relay: true },
  ];

  for (const c of cases) {
    it(`${c.relay ? 'relay -> client' : 'client -> relay'}: ${c.name} -> ${c.code}`, () => {
      const payload = typeof c.payload === 'string' ? Buffer.from(c.payload, 'utf8') : c.payload;
      const decode = c.relay ? decodeRelayMessage : decodeClientMessage;
      assertProtocolError(
        caught(() => decode(payload)),
        c.code,
        c.name,
      );
      // The same payload arriving in a control frame gives the same answer.
      const frames = deframe(Buffer.concat([Buffer.from([...u32(payload.length), 1, 0, 0, 0, 0, 0]), payload]), 4096);
      assert.equal(frames.length, 1);
      assertProtocolError(
        caught(() => decode(frames[0].payload)),
        c.code,
        `${c.name} (framed)`,
      );
    });
  }

  it('every strict prefix of a valid message is BAD_JSON', () => {
    const full = JSON.stringify(CLIENT_SAMPLES[2]);
    for (let i = 0; i < full.length; i++) {
      const err = caught(() => decodeClientMessage(Buffer.from(full.slice(0, i), 'utf8')));
      assertProtocolError(err, ErrorCode.BadJson, `prefix of ${i} chars`);
    }
  });

  it('accepts the limits themselves: textChars, targets, nameChars, refChars', () => {
    const atLimits = {
      t: 'send',
      ref: 'r'.repeat(Limits.refChars),
      to: tooManyTargets.slice(1),
      text: 'a'.repeat(Limits.textChars),
    };
    assert.deepStrictEqual(decodeClientMessage(json(atLimits)), atLimits);
    const name = 'n'.repeat(Limits.nameChars);
    const decoded = decodeClientMessage(Buffer.from(helloWith('name', name)));
    assert.ok(decoded.t === 'hello' && decoded.name === name);
    // A text at the limit in multi-byte characters (limit counts UTF-16 units, not bytes).
    const emoji = '😀'.repeat(Limits.textChars / 2);
    const message = decodeClientMessage(json({ ...send, text: emoji }));
    assert.ok(message.t === 'send' && message.text === emoji);
  });

  it('prototype-pollution keys are inert', () => {
    const payloads = [
      '{"t":"ping","n":1,"__proto__":{"x":1,"polluted":true}}',
      '{"t":"ping","n":1,"constructor":{"prototype":{"polluted":true}}}',
      '{"t":"ping","__proto__":{"n":1}}',
      `{"t":"send","ref":"r","to":"all","text":"hi","code":{"path":"a","startLine":1,"endLine":2,"language":"ts","__proto__":{"polluted":true}}}`,
      `{"t":"send","ref":"r","to":"all","__proto__":{"text":"from the prototype"}}`,
      `{"t":"send","ref":"r","to":["${BOB}"],"text":"hi","to":{"__proto__":["${ALICE}"]}}`,
      JSON.stringify(hello).replace('"seq":41', '"seq":41,"__proto__":{"polluted":true}'),
    ];
    assert.ok(payloads[6].includes('"seq":41,"__proto__"'));
    const outcomes: string[] = [];
    for (const payload of payloads) {
      const err = caught(() => {
        const message = decodeClientMessage(Buffer.from(payload));
        outcomes.push(message.t);
        // Decoded messages are plain objects with only schema keys.
        assert.equal(Object.getPrototypeOf(message), Object.prototype);
        assert.ok(!Object.prototype.hasOwnProperty.call(message, '__proto__'));
        assert.ok(!Object.prototype.hasOwnProperty.call(message, 'constructor'));
        assert.equal((message as unknown as Record<string, unknown>).polluted, undefined);
        if (message.t === 'send' && message.code) assert.equal(Object.getPrototypeOf(message.code), Object.prototype);
      });
      if (err !== undefined) {
        if (err instanceof assert.AssertionError) throw err;
        assertProtocolError(err, ErrorCode.BadMessage, payload);
        outcomes.push('rejected');
      }
    }
    // A field hidden in "__proto__" is not a field: ping without n and send without text are refused.
    assert.deepEqual(outcomes, ['ping', 'ping', 'rejected', 'send', 'rejected', 'rejected', 'hello']);
    const probe: Record<string, unknown> = {};
    assert.equal(probe.x, undefined);
    assert.equal(probe.polluted, undefined);
    assert.ok(!Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'));
    assert.ok(!Object.prototype.hasOwnProperty.call(Object.prototype, 'x'));
  });
});

// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even for "__proto__" (plain assignment would change the prototype). */
function setOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

function randomString(rng: Prng): string {
  return rng.pick<() => string>([
    () => '',
    () => 'a',
    () => ' padded ',
    () => 'x'.repeat(rng.int(0, 300)),
    () => String.fromCharCode(rng.int(0, 0x1f)),
    () => '\u200b\u2028\ud800',
    () => '<script>alert(1)</script>',
    () => ALICE,
    () => BOB.slice(0, rng.int(0, 43)),
    () => rng.pick(['all', 'online', 'away', 'busy', 'offline']),
    () => rng.pick([...CLIENT_TYPES, ...RELAY_TYPES, '__proto__', 'constructor', 'toString']),
    () => PROOF,
    () => SIGNATURE,
    () => rng.bytes(rng.int(0, 20)).toString('latin1'),
  ])();
}

function randomValue(rng: Prng, depth = 0): Json {
  const kind = rng.int(0, depth > 2 ? 3 : 5);
  switch (kind) {
    case 0:
      return rng.pick([null, true, false]);
    case 1:
      return rng.pick([0, 1, -1, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE, rng.int(0, 1000)]);
    case 2:
    case 3:
      return randomString(rng);
    case 4: {
      const out: Json[] = [];
      for (let i = rng.int(0, 3); i > 0; i--) out.push(randomValue(rng, depth + 1));
      return out;
    }
    default: {
      const out: JsonObject = {};
      for (let i = rng.int(0, 3); i > 0; i--) setOwn(out, randomString(rng).slice(0, 12), randomValue(rng, depth + 1));
      return out;
    }
  }
}

/** Every object and array inside `value`, itself included. */
function containers(value: Json, out: (Json[] | JsonObject)[] = []): (Json[] | JsonObject)[] {
  if (Array.isArray(value)) {
    out.push(value);
    for (const item of value) containers(item, out);
  } else if (isObject(value)) {
    out.push(value);
    for (const key of Object.keys(value)) containers(value[key], out);
  }
  return out;
}

function mutateValue(root: Json, rng: Prng): Json {
  const op = rng.int(0, 9);
  const all = containers(root);
  if (op === 9 || all.length === 0) return rng.chance(0.5) ? [root] : randomValue(rng);
  const target = rng.pick(all);
  if (op === 8 && isObject(root)) {
    setOwn(root, 't', rng.chance(0.7) ? rng.pick([...CLIENT_TYPES, ...RELAY_TYPES]) : randomValue(rng));
    return root;
  }
  if (Array.isArray(target)) {
    if (target.length === 0 || op <= 2) target.splice(rng.int(0, target.length), 0, randomValue(rng));
    else if (op <= 5) target[rng.int(0, target.length - 1)] = randomValue(rng);
    else target.splice(rng.int(0, target.length - 1), 1);
    return root;
  }
  const obj = target as JsonObject;
  const keys = Object.keys(obj);
  if (keys.length === 0 || op <= 1) {
    setOwn(obj, rng.chance(0.2) ? rng.pick(['__proto__', 'constructor', 'prototype', 't']) : randomString(rng).slice(0, 10), randomValue(rng));
  } else if (op <= 5) {
    setOwn(obj, rng.pick(keys), randomValue(rng));
  } else {
    delete obj[rng.pick(keys)];
  }
  return root;
}

function mutateText(text: string, rng: Prng): string {
  const at = rng.int(0, text.length);
  switch (rng.int(0, 4)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    case 2:
      return text.slice(0, at) + rng.pick(['{', '}', '"', ',', ':', '[', ']', '\\', '\u0000', 'é', '\ud83d', 'null', '-', '1e999', ' ']) + text.slice(at);
    case 3: {
      const end = rng.int(at, text.length);
      return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    }
    default:
      return text.slice(0, at) + String.fromCharCode(rng.int(0, 0x7f)) + text.slice(at + 1);
  }
}

interface LoopStats {
  valid: number;
  [code: string]: number;
}

/**
 * Mutates valid messages at random and checks each outcome against a model of the codec:
 * - not JSON -> BAD_JSON; JSON but not an object -> BAD_MESSAGE;
 * - `t` (own property) not a type of this direction -> UNKNOWN_TYPE;
 * - otherwise the schema decides: accepted exactly when the schema accepts, else BAD_MESSAGE.
 * Anything thrown that is not a ProtocolError fails the test.
 */
function fuzz(
  seed: number,
  iterations: number,
  samples: readonly (ClientMessage | RelayMessage)[],
  types: readonly string[],
  decode: (payload: Buffer) => unknown,
  schema: typeof ClientMessage | typeof RelayMessage,
): LoopStats {
  const rng = new Prng(seed);
  const stats: LoopStats = { valid: 0 };
  // The limit-sized samples are covered above; here they would only slow the loop down.
  samples = samples.filter((m) => JSON.stringify(m).length < 4096);
  assert.ok(samples.length >= types.length);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let value = JSON.parse(JSON.stringify(rng.pick(samples))) as Json;
    if (!rng.chance(0.1)) for (let m = rng.int(1, 3); m > 0; m--) value = mutateValue(value, rng);
    let text = JSON.stringify(value);
    if (rng.chance(0.25)) text = mutateText(text, rng);
    let payload = Buffer.from(text, 'utf8');
    if (rng.chance(0.03)) {
      const at = rng.int(0, payload.length);
      payload = Buffer.concat([payload.subarray(0, at), rng.bytes(rng.int(1, 3)), payload.subarray(at)]);
    }

    const context = `seed ${seed} iteration ${iteration} payload ${JSON.stringify(payload.toString('utf8').slice(0, 300))}`;
    let result: unknown;
    let error: unknown;
    try {
      result = decode(payload);
    } catch (err) {
      if (!(err instanceof ProtocolError)) assert.fail(`${context}: threw ${(err as Error)?.stack ?? String(err)}`);
      error = err;
    }

    // The model.
    let expected: ErrorCode | 'valid';
    let parsed: unknown;
    try {
      // Strict UTF-8, like the codec: an invalid sequence throws here and means BAD_JSON.
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        expected = ErrorCode.BadMessage;
      } else {
        const t = Object.prototype.hasOwnProperty.call(parsed, 't') ? (parsed as { t: unknown }).t : undefined;
        if (typeof t !== 'string' || !types.includes(t)) expected = ErrorCode.UnknownType;
        else expected = schema.safeParse(parsed).success ? 'valid' : ErrorCode.BadMessage;
      }
    } catch {
      expected = ErrorCode.BadJson;
    }

    if (error instanceof ProtocolError) {
      if (!ALL_CODES.has(error.code)) assert.fail(`${context}: code ${error.code} is not an ErrorCode`);
      if (error.code !== expected) assert.fail(`${context}: got ${error.code} (${error.message}), model expected ${expected}`);
      if (error.message.trim().length === 0 || error.message.length >= 600) assert.fail(`${context}: bad message ${JSON.stringify(error.message)}`);
      stats[error.code] = (stats[error.code] ?? 0) + 1;
    } else {
      if (expected !== 'valid') assert.fail(`${context}: accepted ${JSON.stringify(result).slice(0, 300)}, model expected ${expected}`);
      // What is accepted is a schema-valid message, and survives a re-encode unchanged.
      assert.ok(schema.safeParse(result).success, context);
      const again = decode(encodeControl(result as ClientMessage | RelayMessage).subarray(HEADER_BYTES));
      assert.deepStrictEqual(again, result, context);
      stats.valid++;
    }
  }
  return stats;
}

describe('controlCodec: seeded random mutations', () => {
  afterEach(() => {
    assert.ok(!Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'));
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('decodeClientMessage: 20,000 mutated messages give valid messages or a ProtocolError, nothing else', function () {
    this.timeout(20000);
    const stats = fuzz(0xdecaf, 20_000, CLIENT_SAMPLES, CLIENT_TYPES, decodeClientMessage, ClientMessage);
    for (const outcome of ['valid', ErrorCode.BadJson, ErrorCode.BadMessage, ErrorCode.UnknownType]) {
      assert.ok((stats[outcome] ?? 0) >= 500, `outcome ${outcome} happened only ${stats[outcome] ?? 0} times: ${JSON.stringify(stats)}`);
    }
    assert.equal(
      Object.values(stats).reduce((a, b) => a + b, 0),
      20_000,
    );
  });

  it('decodeRelayMessage: 10,000 mutated messages give valid messages or a ProtocolError, nothing else', function () {
    this.timeout(20000);
    const stats = fuzz(0xbeef, 10_000, RELAY_SAMPLES, RELAY_TYPES, decodeRelayMessage, RelayMessage);
    for (const outcome of ['valid', ErrorCode.BadJson, ErrorCode.BadMessage, ErrorCode.UnknownType]) {
      assert.ok((stats[outcome] ?? 0) >= 200, `outcome ${outcome} happened only ${stats[outcome] ?? 0} times: ${JSON.stringify(stats)}`);
    }
  });
});
