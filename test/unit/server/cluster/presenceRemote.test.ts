import { strict as assert } from 'node:assert';
import { HEADER_BYTES } from '../../../../src/net/protocol/frame';
import type { PeerInfo, PeerStatus, RelayMessage } from '../../../../src/net/protocol/messages';
import { Presence, PresenceSession, RemotePeople, RemotePerson } from '../../../../src/server/presence';

/** A local connection: what presence reads of a session. */
class Local implements PresenceSession {
  status: PeerStatus = 'online';
  rtt: number | undefined;
  presenceAware = true;
  readonly received: RelayMessage[] = [];
  constructor(
    readonly id: number,
    readonly clientId: string,
  ) {}
  info(): PeerInfo {
    return { id: this.id, clientId: this.clientId, name: this.clientId, machine: 'm', address: 'a', status: this.status, since: 1 };
  }
}

/** A connection on another relay (cluster/remoteRoster.ts keeps the real ones). */
function remotePerson(id: number, clientId: string): RemotePerson {
  const peer: PeerInfo = { id, clientId, name: clientId, machine: 'm', address: 'b', status: 'online', since: 1 };
  return { clientId, name: clientId, machine: 'm', status: 'online', rtt: undefined, info: () => peer };
}

class FakeRemote implements RemotePeople {
  readonly byClient = new Map<string, RemotePerson[]>();
  add(person: RemotePerson): void {
    this.byClient.set(person.clientId, [...(this.byClient.get(person.clientId) ?? []), person]);
  }
  remove(person: RemotePerson): void {
    const left = (this.byClient.get(person.clientId) ?? []).filter((p) => p !== person);
    if (left.length > 0) this.byClient.set(person.clientId, left);
    else this.byClient.delete(person.clientId);
  }
  members(): Iterable<RemotePerson> {
    return [...this.byClient.values()].flat();
  }
  membersOf(clientId: string): readonly RemotePerson[] | undefined {
    return this.byClient.get(clientId);
  }
  identities(): Iterable<string> {
    return this.byClient.keys();
  }
}

function setup(fullLimit = 10) {
  const locals: Local[] = [];
  const presence = new Presence<Local>(
    {
      onlineIdentities: () => new Set(locals.map((s) => s.clientId)).size,
      sessions: () => locals,
      sessionsOf: (clientId) => {
        const same = locals.filter((s) => s.clientId === clientId);
        return same.length > 0 ? same : undefined;
      },
      deliver: (session, frame) => session.received.push(JSON.parse(frame.subarray(HEADER_BYTES).toString('utf8')) as RelayMessage),
    },
    { fullLimit, tickMs: 60_000, maxWatchEntries: 1000 },
  );
  const remote = new FakeRemote();
  const mirrored: RelayMessage[] = [];
  presence.joinCluster(remote, (_clientId, message) => mirrored.push(message));
  const connect = (session: Local) => {
    locals.push(session);
    presence.joined(session);
  };
  const remoteJoin = (person: RemotePerson) => {
    remote.add(person);
    presence.remoteJoined(person);
  };
  const roster = (session: Local) => JSON.parse(`[${Buffer.concat(presence.rosterFor(session)).toString('utf8')}]`) as PeerInfo[];
  return { presence, remote, mirrored, connect, remoteJoin, roster, locals };
}

describe('presence with people on other relays (cluster)', () => {
  it('lists and announces remote people like local ones, and mirrors only local changes', () => {
    const { presence, remote, mirrored, connect, remoteJoin, roster } = setup();
    const alice = new Local(1, 'alice');
    connect(alice);
    const bob = remotePerson(2 ** 40, 'bob');
    remoteJoin(bob);
    assert.deepEqual(alice.received, [{ t: 'joined', peer: bob.info() }]);
    assert.deepEqual(mirrored, [], 'a remote change is not told back to the cluster');
    assert.deepEqual(
      roster(new Local(9, 'newcomer')).map((p) => p.clientId),
      ['alice', 'bob'],
      'a welcome lists both',
    );
    assert.equal(presence.online, 2);

    presence.announce('alice', { t: 'peer', peer: { ...alice.info(), status: 'away' } }, alice);
    assert.equal(mirrored.length, 1, 'a local change is mirrored');

    remote.remove(bob);
    presence.remoteLeft(bob, 'their relay stopped answering');
    assert.deepEqual(alice.received.at(-1), { t: 'left', id: 2 ** 40, clientId: 'bob', name: 'bob', reason: 'their relay stopped answering' });
    assert.deepEqual(
      roster(new Local(9, 'newcomer')).map((p) => p.clientId),
      ['alice'],
    );
  });

  it('counts an identity connected here and elsewhere once, and searches only the ones elsewhere', () => {
    const { presence, connect, remoteJoin } = setup();
    connect(new Local(1, 'alice'));
    remoteJoin(remotePerson(2 ** 40, 'alice'));
    remoteJoin(remotePerson(2 ** 40 + 1, 'bob'));
    remoteJoin(remotePerson(2 ** 40 + 2, 'bob'));
    assert.equal(presence.online, 2);
    assert.deepEqual(
      [...presence.onlyElsewhere('carol')].map((p) => p.info().id),
      [2 ** 40 + 2],
      "bob's newest connection; alice is found among the local ones",
    );
    assert.deepEqual([...presence.onlyElsewhere('bob')], [], 'never the one asking');
  });

  it('switches to watched presence when the cluster, not this relay, passes the limit, and back with everyone', () => {
    const { presence, connect, remoteJoin, remote, roster } = setup(4);
    const alice = new Local(1, 'alice');
    connect(alice);
    const others = ['bob', 'carol', 'dave', 'erin'].map((name, i) => remotePerson(2 ** 40 + i, name));
    for (const person of others.slice(0, 3)) remoteJoin(person);
    presence.countChanged();
    assert.equal(presence.mode, 'full', 'four online: at the limit');
    remoteJoin(others[3]);
    presence.countChanged();
    assert.equal(presence.mode, 'watched', 'only one person is on this relay');
    assert.deepEqual(alice.received.at(-1), { t: 'presence', mode: 'watched', online: 5 });
    presence.setWatch(alice, ['erin']);
    assert.deepEqual(
      roster(alice).map((p) => p.clientId),
      ['erin'],
      'in watched mode a welcome lists the watched, wherever they are',
    );

    for (const person of others.slice(1)) {
      remote.remove(person);
      presence.remoteLeft(person, 'left');
      presence.countChanged();
    }
    assert.equal(presence.mode, 'full');
    const back = alice.received.at(-1);
    assert.ok(back?.t === 'presence' && back.mode === 'full');
    assert.deepEqual(
      back.peers?.map((p) => p.clientId),
      ['alice', 'bob'],
    );
    assert.deepEqual(
      roster(new Local(9, 'newcomer')).map((p) => p.clientId),
      ['alice', 'bob'],
    );
  });
});
