import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { decodeClientMessageBySchema, encodeControl } from '../../../../src/net/protocol/controlCodec';
import { HEADER_BYTES } from '../../../../src/net/protocol/frame';
import { ClientMessage, Limits } from '../../../../src/net/protocol/messages';
import { scanPlainSend } from '../../../../src/server/io/plainSendScan';
import { Prng } from '../../helpers/prng';

/**
 * The relay reads plain sends straight from their bytes. Whatever it reads must be exactly what
 * the schema makes of the same bytes, and whatever it is not sure of it must leave alone.
 */

const id = (seed: string) => createHash('sha256').update(seed).digest('base64url');
const IDS = ['alice', 'bob', 'carol', 'dave', 'erin'].map(id);

function payloadOf(message: unknown): Buffer {
  return encodeControl(message as ClientMessage).subarray(HEADER_BYTES);
}

function bySchema(payload: Buffer): ClientMessage | Error {
  try {
    return decodeClientMessageBySchema(payload);
  } catch (err) {
    return err as Error;
  }
}

/** Printable ASCII, and in one string of three now and then a character the scan must not take. */
function randomText(rng: Prng, max: number): string {
  const odd = ['"', '\\', '\n', '\u0000', '\u007f', 'é', '😀', '\ud800', '\u2028', '/'];
  const oddOneIn = rng.pick([0, 0, 20]);
  let text = '';
  for (let n = rng.int(0, max); n > 0; n--) text += oddOneIn && rng.int(1, oddOneIn) === 1 ? rng.pick(odd) : plainCharacter(rng);
  return text;
}

/** Printable ASCII but `"` and `\`, which JSON escapes. */
function plainCharacter(rng: Prng): string {
  const c = rng.int(0x20, 0x7e);
  return c === 0x22 || c === 0x5c ? 'q' : String.fromCharCode(c);
}

function randomSend(rng: Prng): Record<string, unknown> {
  const to = rng.int(0, 5) === 0 ? 'all' : Array.from({ length: rng.int(1, 4) }, () => rng.pick(IDS));
  return { t: 'send', ref: randomText(rng, 40) || 'r', to, text: randomText(rng, 300) };
}

/** Byte-level damage a peer could send: any byte anywhere, whitespace, escapes, cuts, repeats. */
const DAMAGE: ((bytes: Buffer, rng: Prng) => Buffer)[] = [
  (b, rng) => {
    const out = Buffer.from(b);
    out[rng.int(0, out.length - 1)] = rng.int(0, 255);
    return out;
  },
  (b, rng) => {
    const at = rng.int(0, b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick([' ', '\n', '\\u0041', '\\"', ','])), b.subarray(at)]);
  },
  (b, rng) => b.subarray(0, rng.int(0, b.length - 1)),
  (b, rng) => {
    const at = rng.int(0, b.length - 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
  },
  (b) => Buffer.concat([b, Buffer.from(' ')]),
  (b) => Buffer.from(b.toString('latin1').replace(',"text":', ',"text":"x","text":'), 'latin1'),
  (b) => Buffer.from(b.toString('latin1').replace('{"t":"send",', '{"t":"send","to":"all",'), 'latin1'),
];

describe('the plain send scan', () => {
  it('reads the project’s own encoding of a plain send, to people and to all', () => {
    const direct = { t: 'send', ref: 'r-1', to: [IDS[0], IDS[1]], text: 'hello, team' };
    assert.deepEqual(scanPlainSend(payloadOf(direct)), direct);
    const everyone = { t: 'send', ref: 'r-2', to: 'all', text: '' };
    assert.deepEqual(scanPlainSend(payloadOf(everyone)), everyone);
  });

  it('agrees with the schema on 5,000 seeded sends, damaged or not, or leaves them alone', () => {
    const rng = new Prng(2026);
    let read = 0;
    for (let i = 0; i < 5000; i++) {
      let bytes = payloadOf(randomSend(rng));
      for (let d = rng.int(0, 2); d > 0; d--) bytes = rng.pick(DAMAGE)(bytes, rng);
      const scanned = scanPlainSend(bytes);
      if (scanned === undefined) continue;
      read++;
      const expected = bySchema(bytes);
      assert.ok(!(expected instanceof Error), `case ${i}: the schema refuses ${bytes.toString('latin1').slice(0, 200)} but the scan read it`);
      assert.deepEqual(scanned, expected, `case ${i}`);
    }
    // Most undamaged sends are plain: the scan must actually read them.
    assert.ok(read > 1000, `only ${read} of 5,000 read`);
  });

  it('leaves to the schema what is not plain or not within the limits', () => {
    const ok = { t: 'send', ref: 'r', to: [IDS[0]], text: 'x' };
    const refused = (message: unknown, why: string) => assert.equal(scanPlainSend(payloadOf(message)), undefined, why);
    refused({ ...ok, text: 'café' }, 'text past ASCII');
    refused({ ...ok, text: 'say "hi"' }, 'an escaped quote');
    refused({ ...ok, text: 'a\nb' }, 'a control character');
    refused({ ...ok, ref: '' }, 'an empty ref');
    refused({ ...ok, ref: 'r'.repeat(Limits.refChars + 1) }, 'a ref over its limit');
    refused({ ...ok, text: 'x'.repeat(Limits.textChars + 1) }, 'text over its limit');
    refused({ ...ok, to: [] }, 'nobody to send to');
    refused({ ...ok, to: ['not an id'] }, 'a target that is no identity');
    refused({ ...ok, to: Array.from({ length: Limits.targets + 1 }, (_, i) => IDS[i % IDS.length]) }, 'too many targets');
    refused({ ...ok, to: '#general' }, 'a channel (the schema knows its name rules)');
    refused({ ...ok, mentions: ['here'] }, 'any other field');
    refused({ t: 'send', to: [IDS[0]], ref: 'r', text: 'x' }, 'another key order');
    assert.equal(scanPlainSend(Buffer.from(' ' + payloadOf(ok).toString('latin1'), 'latin1')), undefined, 'leading whitespace');
    assert.deepEqual(scanPlainSend(payloadOf({ ...ok, ref: 'r'.repeat(Limits.refChars), text: 'x'.repeat(Limits.textChars) }))?.t, 'send', 'at the limits');
    const most = Array.from({ length: Limits.targets }, (_, i) => IDS[i % IDS.length]);
    assert.deepEqual(scanPlainSend(payloadOf({ ...ok, to: most })), bySchema(payloadOf({ ...ok, to: most })), 'as many targets as allowed');
  });
});
