import { strict as assert } from 'node:assert';
import { PeerInfo, PeerStatus } from '../../../src/net/protocol/messages';
import { EncodedRoster, RosterMember } from '../../../src/server/encodedRoster';
import { Prng } from '../helpers/prng';

/** A connection as the roster sees it: a status and a round trip that change, the rest fixed. */
class Member implements RosterMember {
  status: PeerStatus = 'online';
  rtt: number | undefined;
  constructor(readonly id: number) {}
  info(): PeerInfo {
    return {
      id: this.id,
      clientId: `client-${this.id}`,
      name: `peer ${this.id} "quoted" ✓`,
      machine: 'box',
      address: `127.0.0.1:${1000 + this.id}`,
      status: this.status,
      since: 1_700_000_000_000 + this.id,
      ...(this.rtt !== undefined ? { rtt: this.rtt } : {}),
    };
  }
}

/** The list the pieces spell out, parsed. */
function listed(roster: EncodedRoster<Member>): PeerInfo[] {
  return JSON.parse(`[${Buffer.concat(roster.pieces()).toString('utf8')}]`) as PeerInfo[];
}

/** Whether two pieces are views of the same bytes in memory: a chunk not encoded again. (Small
 *  buffers share Node's pool, so the memory alone does not tell; where they end in it does.) */
function same(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset + b.length;
}

describe('EncodedRoster: everyone online as JSON text in shared chunks', () => {
  it('is empty at first, then lists members in the order they joined', () => {
    const roster = new EncodedRoster<Member>(4);
    assert.deepEqual(roster.pieces(), []);
    assert.deepEqual(listed(roster), []);
    const members = Array.from({ length: 10 }, (_, i) => new Member(i));
    for (const member of members) roster.add(member);
    assert.deepEqual(
      listed(roster),
      members.map((m) => m.info()),
    );
    assert.equal(roster.chunkCount, 3);
    assert.equal(roster.size, 10);
  });

  it('gives back the same buffers while nothing changed; a join re-encodes only the last chunk', () => {
    const roster = new EncodedRoster<Member>(4);
    for (let i = 0; i < 10; i++) roster.add(new Member(i));
    const first = roster.pieces();
    const again = roster.pieces();
    assert.ok(again.every((piece, i) => same(piece, first[i])));
    roster.add(new Member(10));
    const later = roster.pieces();
    assert.ok(same(later[0], first[0]), 'chunk 0 kept');
    assert.ok(same(later[1], first[1]), 'chunk 1 kept');
    assert.ok(!same(later[2], first[2]), 'chunk 2 encoded again');
  });

  it('a status or round-trip change shows in the next list, re-encoding only that member’s chunk', () => {
    const roster = new EncodedRoster<Member>(4);
    const members = Array.from({ length: 10 }, (_, i) => new Member(i));
    for (const member of members) roster.add(member);
    const before = roster.pieces();
    members[5].status = 'away';
    const afterStatus = roster.pieces();
    assert.equal(listed(roster)[5].status, 'away');
    assert.ok(same(afterStatus[0], before[0]), 'chunk 0 kept');
    assert.ok(!same(afterStatus[1], before[1]), 'chunk 1 encoded again');
    assert.ok(same(afterStatus[2], before[2]), 'chunk 2 kept');
    members[9].rtt = 1.25;
    assert.equal(listed(roster)[9].rtt, 1.25);
    assert.deepEqual(
      listed(roster),
      members.map((m) => m.info()),
    );
  });

  it('a leave takes the member out and keeps the others in order; adding twice or removing a stranger changes nothing', () => {
    const roster = new EncodedRoster<Member>(4);
    const members = Array.from({ length: 10 }, (_, i) => new Member(i));
    for (const member of members) roster.add(member);
    roster.add(members[3]);
    roster.remove(new Member(99));
    roster.remove(members[3]);
    roster.remove(members[0]);
    assert.deepEqual(
      listed(roster),
      members.filter((m) => m.id !== 3 && m.id !== 0).map((m) => m.info()),
    );
    assert.equal(roster.has(members[3]), false);
    roster.reset([members[7], members[2]]);
    assert.deepEqual(listed(roster), [members[7].info(), members[2].info()]);
    roster.clear();
    assert.deepEqual(roster.pieces(), []);
  });

  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`seeded random joins, leaves and changes (seed ${seed}) always list exactly who is in, in order, in few chunks`, () => {
      const rng = new Prng(seed);
      const chunkEntries = rng.int(1, 8);
      const roster = new EncodedRoster<Member>(chunkEntries);
      let model: Member[] = [];
      let next = 0;
      for (let step = 0; step < 2000; step++) {
        const roll = rng.next();
        if (roll < 0.45 || model.length === 0) {
          const member = new Member(next++);
          model.push(member);
          roster.add(member);
        } else if (roll < 0.8) {
          const member = model[rng.int(0, model.length - 1)];
          model = model.filter((m) => m !== member);
          roster.remove(member);
        } else if (roll < 0.9) {
          model[rng.int(0, model.length - 1)].status = (['online', 'away', 'busy'] as const)[rng.int(0, 2)];
        } else if (roll < 0.99) {
          model[rng.int(0, model.length - 1)].rtt = rng.int(0, 5000) / 100;
        } else {
          model = model.filter(() => rng.next() < 0.5);
          roster.reset(model);
        }
        // Not after every step: the pieces are cached, and asking changes when they are made.
        if (rng.next() < 0.3 || step === 1999) {
          assert.deepEqual(
            listed(roster),
            model.map((m) => m.info()),
            `seed ${seed}, step ${step}`,
          );
        }
        assert.equal(roster.size, model.length);
        // Two neighbours never fit in one chunk, so chunks stay at least half full on average.
        assert.ok(
          roster.chunkCount <= Math.floor((2 * model.length) / chunkEntries) + 1,
          `seed ${seed}, step ${step}: ${roster.chunkCount} chunks for ${model.length}`,
        );
      }
    });
  }
});
