import { strict as assert } from 'node:assert';
import { HistoryEntry, parseRecord, plainEntry, UpdateRecord } from '../../../src/server/historyEntry';
import { Prng } from '../helpers/prng';

/** The log's records as the schema reads them, and the hand-made check of the common ones
 *  agreeing with it on every mutation of a record, valid or not. */

const ID = 'K'.repeat(22);

const MUTATIONS: ((v: Record<string, unknown>) => void)[] = [
  () => undefined,
  (v) => delete v.ref,
  (v) => (v.ref = 'r'.repeat(4096)),
  (v) => (v.ref = 'r'.repeat(4097)),
  (v) => (v.ref = 7),
  (v) => (v.seq = -1),
  (v) => (v.seq = 1.5),
  (v) => (v.seq = '3'),
  (v) => (v.ts = null),
  (v) => delete v.text,
  (v) => (v.text = ['x']),
  (v) => (v.fromName = 3),
  (v) => (v.id = undefined),
  (v) => (v.to = 'all'),
  (v) => (v.to = '#ops'),
  (v) => (v.to = '#'),
  (v) => (v.to = 'everyone'),
  (v) => (v.to = []),
  (v) => (v.to = ['short']),
  (v) => (v.to = [ID, ID]),
  (v) => (v.to = Array(257).fill(ID)),
  (v) => (v.to = { 0: ID, length: 1 }),
  (v) => (v.extra = 'dropped by both'),
  (v) => (v.thread = 'e-1'),
  (v) => (v.files = [{ name: 'a', size: 1 }]),
  (v) => (v.code = { path: 'a', startLine: 1, endLine: 1, language: '' }),
  (v) => (v.edited = 5),
  (v) => (v.deleted = true),
  (v) => (v.deleted = false),
  (v) => (v.mentions = [ID, 'channel']),
  (v) => (v.mentions = ['nobody']),
  (v) => (v.urgent = true),
  (v) => (v.urgent = 'yes'),
  (v) => (v.attachments = [{ id: 'a1', kind: 'file', name: 'a.pdf', size: 3, mime: 'application/pdf', sha256: 'ab'.repeat(32) }]),
  (v) => (v.attachments = [{ id: 'a1', kind: 'video', name: 'a.mp4', size: 3, mime: 'video/mp4', sha256: 'ab'.repeat(32) }]),
  (v) => (v.attachments = []),
];

describe('history log records', () => {
  it('the check of plain records agrees with the schema on every mutation', () => {
    const rng = new Prng(31);
    for (let i = 0; i < 5000; i++) {
      const value: Record<string, unknown> = { id: 'e-1', seq: 1, ts: 2, from: ID, fromName: 'kay', to: [ID], text: 'hi', ref: 'r1' };
      for (let m = rng.int(1, 3); m > 0; m--) rng.pick(MUTATIONS)(value);
      const schema = HistoryEntry.safeParse(value);
      const quick = plainEntry(value);
      if (quick) assert.deepEqual(quick, schema.success ? schema.data : 'refused by the schema', `case ${i}: ${JSON.stringify(value)}`);
      assert.deepEqual(parseRecord(value), schema.success ? schema.data : undefined, `case ${i}: ${JSON.stringify(value)}`);
    }
  });

  it('tells update records from messages', () => {
    assert.deepEqual(parseRecord({ seq: 5, ts: 1, update: 3 }), { seq: 5, ts: 1, update: 3 } satisfies UpdateRecord);
    assert.equal(parseRecord({ seq: 5, ts: 1, update: 0 }), undefined);
    assert.equal(parseRecord({ seq: 5, ts: 1, update: '3' }), undefined);
    assert.equal(parseRecord(null), undefined);
    assert.equal(parseRecord('text'), undefined);
  });
});
