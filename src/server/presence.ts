import { encodeControl } from '../net/protocol/controlCodec';
import { PeerInfo, PresenceMode, RelayMessage } from '../net/protocol/messages';
import type { Searchable } from '../net/peerSearch';
import { EncodedRoster, RosterMember } from './encodedRoster';

/** What presence needs to know about a connection. */
export interface PresenceSession extends RosterMember {
  readonly clientId: string;
  /** The client sent a watch set in its hello (or a `watch` since): it understands `presence`
   *  frames. Older clients would drop the connection on a message type they do not know. */
  presenceAware: boolean;
}

/** What presence needs from the relay. */
export interface PresencePort<S> {
  /** Identities with at least one ready connection. */
  onlineIdentities(): number;
  /** Every ready connection. */
  sessions(): Iterable<S>;
  /** The ready connections of one identity. */
  sessionsOf(clientId: string): Iterable<S> | undefined;
  /** Queues an encoded frame for one connection (the relay's slow-consumer rules apply). */
  deliver(session: S, frame: Buffer): void;
}

export interface PresenceOptions {
  /** Full presence while at most this many identities are online. */
  fullLimit: number;
  /** How often the online count is announced in watched mode, when it changed. */
  tickMs: number;
  /** Watch-set entries held for all connections together: each costs memory, and every
   *  member may watch up to Limits.watchIds, so many connections could otherwise make it huge. */
  maxWatchEntries: number;
}

/** A connection on another relay of a cluster, as presence lists it. */
export interface RemotePerson extends RosterMember, Searchable {}

/** People connected to the other relays of a cluster (cluster/remoteRoster.ts): listed, counted
 *  and announced like local ones, never delivered to. */
export interface RemotePeople {
  members(): Iterable<RemotePerson>;
  /** One identity's remote connections, oldest first. */
  membersOf(clientId: string): readonly RemotePerson[] | undefined;
  /** The identities with at least one remote connection. */
  identities(): Iterable<string>;
}

/** Told of every local change presence announces, so the other relays of a cluster hear it. */
export type PresenceMirror = (clientId: string, message: RelayMessage) => void;

const NOBODY: ReadonlySet<string> = new Set();

/**
 * Who hears about whom. Telling every client about every join costs N² frames as a relay
 * grows (10,000 people joining is 50 million roster entries), so past `fullLimit` online
 * identities the relay switches to *watched* presence: each client names the identities it
 * cares about (its conversations' members) and hears only about those, plus a periodic online
 * count. It switches back only at half the limit, so a team hovering at the limit cannot make
 * the relay pay the full roster over and over.
 *
 * In a cluster (cluster/clusterPresence.ts) the people of the other relays are listed, counted
 * and announced the same way, and every local change is mirrored to those relays.
 */
export class Presence<S extends PresenceSession> {
  private current: PresenceMode = 'full';
  /** Each connection's watch set, and the reverse: identity -> connections watching it. */
  private readonly watches = new Map<S, ReadonlySet<string>>();
  private readonly watchers = new Map<string, Set<S>>();
  private watchEntries = 0;
  private lastAnnounced = -1;
  private timer: NodeJS.Timeout | undefined;
  /** Everyone online (other relays' people too, in a cluster), encoded for welcomes; kept in full mode only. */
  private readonly roster = new EncodedRoster<RosterMember>();
  /** Set in a cluster only: a relay alone works exactly as without them. */
  private remote: RemotePeople | undefined;
  private mirror: PresenceMirror | undefined;

  constructor(
    private readonly port: PresencePort<S>,
    private readonly options: PresenceOptions,
  ) {}

  get mode(): PresenceMode {
    return this.current;
  }

  /** In a cluster: the other relays' people are shown too, and local changes are mirrored to them. */
  joinCluster(remote: RemotePeople, mirror: PresenceMirror): void {
    this.remote = remote;
    this.mirror = mirror;
    if (this.current === 'full') for (const member of remote.members()) this.roster.add(member);
  }

  /** Identities online: connected here, or (in a cluster) only to another relay. */
  get online(): number {
    const here = this.port.onlineIdentities();
    if (!this.remote) return here;
    let elsewhere = 0;
    for (const clientId of this.remote.identities()) if (this.port.sessionsOf(clientId) === undefined) elsewhere++;
    return here + elsewhere;
  }

  /** For peer search: each identity connected only to other relays (but `skip`), by its newest connection. */
  *onlyElsewhere(skip: string): Generator<RemotePerson> {
    if (!this.remote) return;
    for (const clientId of this.remote.identities()) {
      if (clientId === skip || this.port.sessionsOf(clientId) !== undefined) continue;
      const members = this.remote.membersOf(clientId);
      if (members && members.length > 0) yield members[members.length - 1];
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Replaces a connection's watch set. Returns how many of `ids` were not taken because the
   * relay holds maxWatchEntries already (those kept from the previous set come first).
   */
  setWatch(session: S, ids: readonly string[]): number {
    const wanted = new Set(ids);
    const previous = this.watches.get(session) ?? NOBODY;
    for (const id of previous) if (!wanted.has(id)) this.unindex(id, session);
    const next = new Set<string>();
    let refused = 0;
    for (const id of wanted) {
      if (previous.has(id)) next.add(id);
    }
    for (const id of wanted) {
      if (previous.has(id)) continue;
      if (this.watchEntries >= this.options.maxWatchEntries) {
        refused++;
        continue;
      }
      let set = this.watchers.get(id);
      if (!set) this.watchers.set(id, (set = new Set()));
      set.add(session);
      this.watchEntries++;
      next.add(id);
    }
    if (next.size === 0) this.watches.delete(session);
    else this.watches.set(session, next);
    return refused;
  }

  /** Watch-set entries held for all connections. */
  get watchEntryCount(): number {
    return this.watchEntries;
  }

  watchOf(session: S): ReadonlySet<string> {
    return this.watches.get(session) ?? NOBODY;
  }

  /** A connection is ready and its welcome is queued: later welcomes list it. */
  joined(session: S): void {
    if (this.current === 'full') this.roster.add(session);
  }

  /** A connection closed: it watches nobody any more, and no welcome lists it. */
  forget(session: S): void {
    this.roster.remove(session);
    for (const id of this.watches.get(session) ?? NOBODY) this.unindex(id, session);
    this.watches.delete(session);
  }

  /**
   * Tells those who should know about a change to `clientId` (joined, left, status): everyone
   * in full mode, its watchers in watched mode. Encoded once for all of them.
   */
  announce(clientId: string, message: RelayMessage, except?: S): void {
    this.mirror?.(clientId, message);
    this.tell(clientId, message, except);
  }

  /** A connection on another relay came: listed in welcomes from now on, told like a local one. */
  remoteJoined(member: RemotePerson): void {
    if (this.current === 'full') this.roster.add(member);
    const peer = member.info();
    this.tell(peer.clientId, { t: 'joined', peer });
  }

  /** A connection on another relay changed its status. */
  remoteUpdated(member: RemotePerson): void {
    const peer = member.info();
    this.tell(peer.clientId, { t: 'peer', peer });
  }

  /** A connection on another relay went (or its relay did). */
  remoteLeft(member: RemotePerson, reason: string): void {
    this.roster.remove(member);
    const { id, clientId, name } = member.info();
    this.tell(clientId, { t: 'left', id, clientId, name, reason: reason.slice(0, 500) });
  }

  private tell(clientId: string, message: RelayMessage, except?: S): void {
    const recipients = this.current === 'full' ? this.port.sessions() : this.watchers.get(clientId);
    if (!recipients) return;
    let frame: Buffer | undefined;
    for (const session of recipients) {
      if (session === except) continue;
      frame ??= encodeControl(message);
      this.port.deliver(session, frame);
    }
  }

  /**
   * The online roster a newcomer's welcome carries, as JSON text in pieces for
   * `encodeControlWithList`: everyone in full mode (shared by every welcome until it changes),
   * the identities it watches in watched mode. Asked before `joined`, so never the newcomer's
   * own connection.
   */
  rosterFor(session: S): Buffer[] {
    if (this.current === 'full') return this.roster.pieces();
    const peers = this.onlinePeersOf(this.watchOf(session), session);
    return peers.length === 0 ? [] : [Buffer.from(peers.map((peer) => JSON.stringify(peer)).join(','), 'utf8')];
  }

  /** Every online connection of these identities (but `except`). */
  onlinePeersOf(ids: Iterable<string>, except?: S): PeerInfo[] {
    const peers: PeerInfo[] = [];
    for (const id of ids) {
      for (const other of this.port.sessionsOf(id) ?? []) if (other !== except) peers.push(other.info());
      for (const member of this.remote?.membersOf(id) ?? []) peers.push(member.info());
    }
    return peers;
  }

  /**
   * Called when the number of online identities changed. Switches mode when it crosses the
   * limit (up) or half of it (down), telling every presence-aware connection but `except`
   * (a newcomer whose welcome is still to be sent and will say the mode itself).
   */
  countChanged(except?: S): void {
    const online = this.online;
    if (this.current === 'full' && online > this.options.fullLimit) {
      this.current = 'watched';
      this.roster.clear();
      this.lastAnnounced = online;
      this.toAware(encodeControl({ t: 'presence', mode: 'watched', online }), except);
    } else if (this.current === 'watched' && online <= Math.floor(this.options.fullLimit / 2)) {
      this.current = 'full';
      this.roster.reset(this.port.sessions());
      for (const member of this.remote?.members() ?? []) this.roster.add(member);
      // One roster for everyone (each client skips its own connections): at most half the
      // limit, and rare thanks to the gap between the two thresholds.
      const peers: PeerInfo[] = [];
      for (const session of this.port.sessions()) peers.push(session.info());
      for (const member of this.remote?.members() ?? []) peers.push(member.info());
      this.toAware(encodeControl({ t: 'presence', mode: 'full', online, peers }), except);
    }
  }

  /** In watched mode clients cannot count joins themselves: the count, when it changed. */
  private tick(): void {
    if (this.current !== 'watched') return;
    const online = this.online;
    if (online === this.lastAnnounced) return;
    this.lastAnnounced = online;
    this.toAware(encodeControl({ t: 'presence', mode: 'watched', online }));
  }

  private toAware(frame: Buffer, except?: S): void {
    for (const session of this.port.sessions()) {
      if (session !== except && session.presenceAware) this.port.deliver(session, frame);
    }
  }

  private unindex(id: string, session: S): void {
    const set = this.watchers.get(id);
    if (!set?.delete(session)) return;
    this.watchEntries--;
    if (set.size === 0) this.watchers.delete(id);
  }
}
