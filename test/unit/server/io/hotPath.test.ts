import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { decodeClientMessageBySchema, encodeControl } from '../../../../src/net/protocol/controlCodec';
import { ProtocolError } from '../../../../src/net/protocol/errors';
import { HEADER_BYTES } from '../../../../src/net/protocol/frame';
import { Ack, ChatMessage, ClientMessage, Limits } from '../../../../src/net/protocol/messages';
import { HistoryEntry } from '../../../../src/server/history';
import { ackFrame, chatMessageFrame } from '../../../../src/server/io/hotFrames';
import { decodeClientMessageFast, fastSend } from '../../../../src/server/io/sendFastPath';
import { Prng } from '../../helpers/prng';
import { randomAttachment, randomRichParts } from '../../helpers/richParts';
import { randomCodeParts } from '../../helpers/codeParts';

/**
 * The relay's per-message shortcuts must be invisible: the hand-built frames are byte for byte
 * what encodeControl makes of the same object, and the `send` fast path accepts, rejects and
 * returns exactly what the zod schema does.
 */

const id = (seed: string) => createHash('sha256').update(seed).digest('base64url');
const IDS = ['alice', 'bob', 'carol', 'dave'].map(id);

/** Text a hostile peer might send: quotes, escapes, control characters, lone surrogates, RTL, emoji. */
const NASTY = ['"', '\\', '\n', '\u0000', '\u001f', '\u2028', '\u2029', '\ud800', '\udfff', '\u202e', '😀', '</script>', 'é', '\u007f', '{"t":"ack"}'];

/** Most real text is plain printable ASCII (the frames' quick way), so a third of the strings
 *  are; the rest carry a hostile character now and then or often. */
function randomText(rng: Prng, max: number): string {
  const n = rng.int(0, max);
  const nasty = rng.pick([0, 0.01, 0.3]);
  let out = '';
  for (let i = 0; i < n; i++) out += rng.chance(nasty) ? rng.pick(NASTY) : String.fromCharCode(rng.int(0x20, 0x7e));
  return out;
}

function randomTargets(rng: Prng): HistoryEntry['to'] {
  if (rng.chance(0.3)) return 'all';
  if (rng.chance(0.2)) return `#${rng.pick(['general', 'c-1', 'Deploys_2'])}`;
  return Array.from({ length: rng.int(1, 4) }, () => rng.pick(IDS));
}

/** Messages often share a millisecond (the frames keep the last time's text). */
let lastTs = 0;
function randomTs(rng: Prng): number {
  if (!rng.chance(0.5)) lastTs = rng.chance(0.5) ? lastTs + 1 : rng.int(0, 2 ** 31) * 1000 + rng.int(0, 999);
  return lastTs;
}

function randomEntry(rng: Prng): HistoryEntry {
  const seq = rng.int(0, 2 ** 31);
  return {
    id: `${randomText(rng, 8)}-${seq}`,
    seq,
    ts: randomTs(rng),
    from: rng.pick(IDS),
    fromName: randomText(rng, 20) || 'x',
    to: randomTargets(rng),
    text: randomText(rng, 300),
    ...(rng.chance(0.3)
      ? { code: { path: randomText(rng, 30) || 'a', startLine: rng.int(1, 99), endLine: rng.int(1, 999), language: randomText(rng, 10) } }
      : {}),
    ...(rng.chance(0.3) ? { thread: `${randomText(rng, 8)}-${rng.int(1, 2 ** 31)}` } : {}),
    ...(rng.chance(0.2) ? { files: Array.from({ length: rng.int(1, 3) }, () => ({ name: randomText(rng, 30) || 'f', size: rng.int(0, 2 ** 40) })) } : {}),
    ...randomRichParts(rng, IDS, (max) => randomText(rng, max)),
    ...randomCodeParts(rng, (max) => randomText(rng, max), { links: true }),
    ...(rng.chance(0.2) ? { edited: randomTs(rng) } : {}),
    ...(rng.chance(0.1) ? { deleted: true as const } : {}),
    ref: randomText(rng, 20) || 'r',
  };
}

function chatObject(entry: HistoryEntry, replay: boolean): ChatMessage {
  return {
    t: 'message',
    id: entry.id,
    seq: entry.seq,
    ts: entry.ts,
    from: entry.from,
    fromName: entry.fromName,
    to: entry.to,
    text: entry.text,
    ...(entry.code ? { code: entry.code } : {}),
    ...(entry.thread !== undefined ? { thread: entry.thread } : {}),
    ...(entry.files ? { files: entry.files } : {}),
    ...(entry.mentions ? { mentions: entry.mentions } : {}),
    ...(entry.urgent ? { urgent: true as const } : {}),
    ...(entry.attachments ? { attachments: entry.attachments } : {}),
    ...(entry.patch ? { patch: entry.patch } : {}),
    ...(entry.block ? { block: entry.block } : {}),
    ...(entry.problem ? { problem: entry.problem } : {}),
    ...(entry.links ? { links: entry.links } : {}),
    ...(entry.edited !== undefined ? { edited: entry.edited } : {}),
    ...(entry.deleted ? { deleted: true as const } : {}),
    ...(replay ? { replay: true } : {}),
  };
}

describe('relay hot path', () => {
  it('builds chat frames byte for byte like encodeControl (5,000 seeded entries: channels, threads, files, mentions, attachments, edits, deletes, hostile text)', () => {
    const rng = new Prng(20261121);
    for (let i = 0; i < 5000; i++) {
      const entry = randomEntry(rng);
      const replay = rng.chance(0.5);
      const fast = chatMessageFrame(entry, replay);
      const slow = encodeControl(chatObject(entry, replay));
      assert.ok(fast.equals(slow), `case ${i}: ${slow.subarray(HEADER_BYTES).toString()} vs ${fast.subarray(HEADER_BYTES).toString()}`);
    }
  });

  it('builds ack frames byte for byte like encodeControl', () => {
    const rng = new Prng(7);
    for (let i = 0; i < 5000; i++) {
      const ack: Ack = {
        t: 'ack',
        ref: randomText(rng, Limits.refChars) || 'r',
        id: randomText(rng, 40),
        seq: rng.int(0, 2 ** 31),
        ts: randomTs(rng),
        reached: rng.int(0, 500),
        online: Array.from({ length: rng.int(0, 3) }, () => rng.pick(IDS)),
        offline: Array.from({ length: rng.int(0, 3) }, () => rng.pick(IDS)),
      };
      assert.ok(ackFrame(ack).equals(encodeControl(ack)), `case ${i}`);
    }
  });

  describe('the send fast path', () => {
    function viaSchema(value: unknown): ClientMessage | ProtocolError {
      try {
        return decodeClientMessageBySchema(Buffer.from(JSON.stringify(value)));
      } catch (err) {
        return err as ProtocolError;
      }
    }

    function viaCodec(value: unknown): ClientMessage | ProtocolError {
      try {
        return decodeClientMessageFast(Buffer.from(JSON.stringify(value)));
      } catch (err) {
        return err as ProtocolError;
      }
    }

    const MUTATIONS: ((v: Record<string, unknown>, rng: Prng) => void)[] = [
      () => undefined,
      (v) => delete v.ref,
      (v) => (v.ref = ''),
      (v) => (v.ref = 'r'.repeat(Limits.refChars)),
      (v) => (v.ref = 'r'.repeat(Limits.refChars + 1)),
      (v) => (v.ref = 5),
      (v) => (v.text = 'x'.repeat(Limits.textChars)),
      (v) => (v.text = 'x'.repeat(Limits.textChars + 1)),
      (v) => (v.text = null),
      (v) => delete v.text,
      (v) => (v.to = []),
      (v) => (v.to = 'everyone'),
      (v) => (v.to = ['not an id']),
      (v) => (v.to = [IDS[0], 42]),
      (v) => (v.to = Array.from({ length: Limits.targets }, (_, i) => IDS[i % IDS.length])),
      (v) => (v.to = Array.from({ length: Limits.targets + 1 }, (_, i) => IDS[i % IDS.length])),
      (v) => (v.to = { 0: IDS[0], length: 1 }),
      (v) => (v.extra = 'ignored by the schema'),
      (v) => (v.code = { path: 'a.ts', startLine: 1, endLine: 2, language: 'ts' }),
      (v) => (v.code = { path: '', startLine: 1, endLine: 2, language: 'ts' }),
      (v) => (v.code = null),
      (v) => (v.mentions = [IDS[0], 'channel', 'here']),
      (v) => (v.mentions = []),
      (v) => (v.mentions = ['everyone']),
      (v) => (v.mentions = Array.from({ length: Limits.mentionsPerMessage + 1 }, () => 'here')),
      (v) => (v.urgent = true),
      (v) => (v.urgent = false),
      (v, rng) => (v.attachments = [randomAttachment(rng, 0, (max) => randomText(rng, max))]),
      (v) => (v.attachments = []),
      (v) => (v.attachments = [{ id: 'x', kind: 'image', name: 'a.png', size: 1, mime: 'image/png', sha256: 'nothex' }]),
      (v) => (v.attachments = null),
      (v, rng) => (v.text = randomText(rng, 50)),
      (v) => (v.t = 'sent'),
    ];

    it('agrees with the schema on every mutation of a send, valid or not', () => {
      const rng = new Prng(99);
      for (let i = 0; i < 3000; i++) {
        const value: Record<string, unknown> = { t: 'send', ref: randomText(rng, 20) || 'r', to: randomTargets(rng), text: randomText(rng, 200) };
        for (let m = rng.int(1, 3); m > 0; m--) rng.pick(MUTATIONS)(value, rng);
        const expected = viaSchema(value);
        const actual = viaCodec(value);
        if (expected instanceof Error) {
          assert.ok(actual instanceof ProtocolError, `case ${i}: the schema refuses ${JSON.stringify(value).slice(0, 200)} but the codec accepted it`);
          assert.equal(actual.code, expected.code);
          assert.equal(actual.message, expected.message);
        } else {
          assert.deepEqual(actual, expected, `case ${i}`);
        }
      }
    });

    it('returns a copy of the targets and nothing but the known fields', () => {
      const to = [IDS[1]];
      const value = { t: 'send', ref: 'r1', to, text: 'hi', extra: 1 };
      const out = fastSend(value);
      assert.deepEqual(out, { t: 'send', ref: 'r1', to: [IDS[1]], text: 'hi' });
      assert.notEqual(out?.to, to);
    });

    it('leaves anything unusual to the schema', () => {
      assert.equal(fastSend({ t: 'send', ref: 'r', to: 'all', text: 'x', code: { path: 'a', startLine: 1, endLine: 1, language: '' } }), undefined);
      assert.equal(fastSend({ t: 'send', ref: 'r', to: 'all', text: 'x', mentions: ['here'] }), undefined, 'mentions are not dropped');
      assert.equal(fastSend({ t: 'send', ref: 'r', to: 'all', text: 'x', urgent: true }), undefined, 'urgency is not dropped');
      assert.equal(fastSend({ t: 'send', ref: 'r', to: 'all', text: 'x', attachments: [] }), undefined, 'attachments are not dropped');
      assert.equal(fastSend({ t: 'ping', n: 1 }), undefined);
      assert.equal(fastSend({ t: 'send', ref: 'r', to: ['nope'], text: 'x' }), undefined);
    });
  });
});
