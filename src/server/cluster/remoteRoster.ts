import type { PeerInfo, PeerStatus } from '../../net/protocol/messages';
import type { RemotePeople } from '../presence';
import type { CountedEvent, RemoteConnection, Snapshot } from './presenceWire';

/**
 * Connection ids of other relays are given local aliases from here on: every relay numbers its
 * own connections from 1, and clients key their roster by connection id, so a remote "7" would
 * overwrite a local "7". Far above anything one relay process ever numbers.
 */
export const REMOTE_ALIAS_BASE = 2 ** 40;

/** A connection on another relay, as this relay's clients see it. */
export class RemoteMember {
  constructor(
    readonly relayId: string,
    /** Its id on its own relay (what kicks and that relay's events name). */
    readonly remoteId: number,
    readonly instance: string,
    /** Its roster entry, with the local alias as id. */
    public peer: PeerInfo,
  ) {}

  get clientId(): string {
    return this.peer.clientId;
  }
  get name(): string {
    return this.peer.name;
  }
  get machine(): string {
    return this.peer.machine;
  }
  get status(): PeerStatus {
    return this.peer.status;
  }
  get rtt(): number | undefined {
    return this.peer.rtt;
  }
  info(): PeerInfo {
    return this.peer;
  }
}

/** What changed, for the relay to tell its clients. */
export type RemoteChange =
  { kind: 'joined'; member: RemoteMember } | { kind: 'left'; member: RemoteMember; reason: string } | { kind: 'updated'; member: RemoteMember };

interface RelayState {
  /** The last of that relay's changes applied. */
  n: number;
  members: Map<number, RemoteMember>;
}

/** The answer to an event that cannot be applied: a change is missing, read the snapshot. */
export const RESYNC = 'resync';

/**
 * Everyone connected to the other relays of the cluster, by relay and by identity, kept from
 * their events and snapshots. Pure: it says what changed and the caller tells the clients.
 */
export class RemoteRoster implements RemotePeople {
  private readonly relays = new Map<string, RelayState>();
  private readonly byClient = new Map<string, RemoteMember[]>();
  private nextAlias = REMOTE_ALIAS_BASE;

  /** Whether the relay's people are known (its snapshot or events were applied). */
  knows(relayId: string): boolean {
    return this.relays.has(relayId);
  }

  /** The last change of the relay's applied, or undefined when it is not known. */
  changeCount(relayId: string): number | undefined {
    return this.relays.get(relayId)?.n;
  }

  relayIds(): string[] {
    return [...this.relays.keys()];
  }

  members(): Iterable<RemoteMember> {
    return this.allMembers();
  }

  membersOf(clientId: string): readonly RemoteMember[] | undefined {
    return this.byClient.get(clientId);
  }

  has(clientId: string): boolean {
    return this.byClient.has(clientId);
  }

  identities(): Iterable<string> {
    return this.byClient.keys();
  }

  /** Its connections of `clientId` from the same client process (to be replaced by a new one). */
  sameProcess(clientId: string, instance: string): RemoteMember[] {
    return (this.byClient.get(clientId) ?? []).filter((m) => m.instance === instance);
  }

  /** One counted event of `relayId`; RESYNC when one before it was missed (or the relay is new). */
  apply(relayId: string, event: CountedEvent): RemoteChange[] | typeof RESYNC {
    const state = this.relays.get(relayId);
    if (!state) return event.t === 'bye' ? [] : RESYNC;
    if (event.n <= state.n) return []; // already in the snapshot that was read
    if (event.n !== state.n + 1) return RESYNC;
    state.n = event.n;
    switch (event.t) {
      case 'joined':
        return this.upsert(relayId, state, { peer: event.peer, instance: event.instance });
      case 'peer': {
        const member = state.members.get(event.peer.id);
        return member ? this.upsert(relayId, state, { peer: event.peer, instance: member.instance }) : [];
      }
      case 'left': {
        const member = state.members.get(event.id);
        return member ? [this.remove(state, member, event.reason)] : [];
      }
      case 'bye':
        return this.drop(relayId, 'its relay stopped');
    }
  }

  /** The relay's whole roster (at start, or after a gap): whatever differs is a change. */
  applySnapshot(relayId: string, snapshot: Snapshot): RemoteChange[] {
    let state = this.relays.get(relayId);
    if (state && snapshot.n < state.n) return []; // older than what the events told already
    if (!state) this.relays.set(relayId, (state = { n: snapshot.n, members: new Map() }));
    state.n = snapshot.n;
    const changes: RemoteChange[] = [];
    const present = new Set<number>();
    for (const connection of snapshot.connections) {
      present.add(connection.peer.id);
      changes.push(...this.upsert(relayId, state, connection));
    }
    for (const member of [...state.members.values()]) {
      if (!present.has(member.remoteId)) changes.push(this.remove(state, member, 'left while this relay was not listening'));
    }
    return changes;
  }

  /** Every connection of the relay leaves (it stopped, or went silent). */
  drop(relayId: string, reason: string): RemoteChange[] {
    const state = this.relays.get(relayId);
    if (!state) return [];
    this.relays.delete(relayId);
    return [...state.members.values()].map((member) => this.remove(state, member, reason));
  }

  private upsert(relayId: string, state: RelayState, connection: RemoteConnection): RemoteChange[] {
    const existing = state.members.get(connection.peer.id);
    if (existing) {
      const peer = { ...connection.peer, id: existing.peer.id };
      if (JSON.stringify(peer) === JSON.stringify(existing.peer)) return [];
      existing.peer = peer;
      return [{ kind: 'updated', member: existing }];
    }
    const member = new RemoteMember(relayId, connection.peer.id, connection.instance, { ...connection.peer, id: this.nextAlias++ });
    state.members.set(member.remoteId, member);
    const same = this.byClient.get(member.clientId);
    if (same) same.push(member);
    else this.byClient.set(member.clientId, [member]);
    return [{ kind: 'joined', member }];
  }

  private remove(state: RelayState, member: RemoteMember, reason: string): RemoteChange {
    state.members.delete(member.remoteId);
    const same = this.byClient.get(member.clientId);
    const at = same ? same.indexOf(member) : -1;
    if (at >= 0) same!.splice(at, 1);
    if (same && same.length === 0) this.byClient.delete(member.clientId);
    return { kind: 'left', member, reason };
  }

  private *allMembers(): Generator<RemoteMember> {
    for (const state of this.relays.values()) yield* state.members.values();
  }
}
