import { strict as assert } from 'node:assert';
import { decodeTransfer, encodeData, encodeNote, transferSubject } from '../../../../src/server/cluster/transferWire';

describe('transferWire: what relays tell each other about transfers', () => {
  it('carries a data piece byte for byte: kind, the origin’s id, stream, flags, payload', () => {
    const bytes = Buffer.from(encodeData('a1b2c3', 0x01020304, 0x01, Buffer.from('xyz')));
    assert.deepEqual([...bytes], [2, 6, ...Buffer.from('a1b2c3'), 1, 2, 3, 4, 1, ...Buffer.from('xyz')]);
    const decoded = decodeTransfer(bytes);
    assert.equal(decoded.kind, 'data');
    if (decoded.kind !== 'data') return;
    assert.deepEqual([decoded.origin, decoded.stream, decoded.flags, decoded.payload.toString()], ['a1b2c3', 0x01020304, 1, 'xyz']);
    assert.deepEqual(
      { ...decodeTransfer(encodeData('r', 7, 0, Buffer.alloc(0))), payload: undefined },
      { kind: 'data', origin: 'r', stream: 7, flags: 0, payload: undefined },
    );
  });

  it('carries notes as checked JSON', () => {
    const note = { k: 'credit' as const, from: 'r1', transfer: 't1', credit: { t: 'credit' as const, stream: 3, bytes: 65536 } };
    const bytes = Buffer.from(encodeNote(note));
    assert.equal(bytes[0], 1);
    assert.deepEqual(decodeTransfer(bytes), { kind: 'note', note });
    assert.equal(transferSubject('r1'), 'tm.xfer.r1');
  });

  it('says what is wrong with anything else, never throws', () => {
    const why = (data: Uint8Array) => {
      const d = decodeTransfer(data);
      return d.kind === 'bad' ? d.why : d.kind;
    };
    assert.equal(why(new Uint8Array()), 'empty');
    assert.equal(why(Uint8Array.of(9, 1)), 'unknown kind 9');
    assert.equal(why(Uint8Array.of(2, 5, 65)), 'a data message shorter than its header');
    assert.equal(why(Uint8Array.of(2, 0, 0, 0, 0, 0, 0)), 'a data message shorter than its header');
    assert.equal(why(Buffer.from('\x01{not json')), 'a note that is not JSON');
    assert.notEqual(why(Buffer.from('\x01{"k":"credit","from":"r","transfer":"t","credit":{"t":"credit","stream":0,"bytes":-1}}')), 'note');
    assert.notEqual(why(Buffer.from('\x01{"k":"launch","from":"r","transfer":"t"}')), 'note');
    // Seeded random bytes: each decodes to something or to a reason.
    let seed = 42;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.alloc(i % 40);
      for (let j = 0; j < bytes.length; j++) bytes[j] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
      assert.ok(['note', 'data', 'bad'].includes(decodeTransfer(bytes).kind));
    }
  });
});
