import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import { KnownPeer, Limits, PeerInfo, Presence, PresenceMode, Watching, Welcome, isClientId } from '../protocol/messages';

/**
 * What a client knows about who is online, kept in step with the relay's presence messages.
 *
 * In full presence (small teams) the relay sends everyone and every change. In watched
 * presence (big relays) it sends only the identities this client watches, and an online count:
 * the roster then holds just those, and `online` is the relay's count rather than the roster's.
 */
export class Roster {
  /** Online peers by connection id (this connection excluded). */
  readonly peers = new Map<number, PeerInfo>();
  /** Identities the relay knows that are offline. */
  readonly known = new Map<string, KnownPeer>();
  /** The identities this client watches (sent in every hello and with `watch`). */
  readonly watched = new Set<string>();
  private modeValue: PresenceMode = 'full';
  private announced = 0;
  private self: { id: number; clientId: string } | undefined;

  get mode(): PresenceMode {
    return this.modeValue;
  }

  /** Identities online, this one included: counted from the roster in full presence, the
   *  relay's last figure in watched presence. */
  get online(): number {
    if (this.modeValue === 'watched') return this.announced;
    const ids = new Set<string>();
    for (const p of this.peers.values()) ids.add(p.clientId);
    if (this.self) ids.add(this.self.clientId);
    return ids.size;
  }

  isOnline(clientId: string): boolean {
    for (const peer of this.peers.values()) if (peer.clientId === clientId) return true;
    return false;
  }

  welcome(welcome: Welcome): void {
    this.self = { id: welcome.id, clientId: welcome.clientId };
    // A relay from before presence modes says nothing: it is always full.
    this.modeValue = welcome.presence ?? 'full';
    this.peers.clear();
    for (const peer of welcome.peers) this.peers.set(peer.id, peer);
    this.known.clear();
    for (const peer of welcome.known) this.known.set(peer.clientId, peer);
    this.announced = welcome.online ?? this.online;
    // Someone un-watched while the hello was on its way would never be reported gone.
    if (this.modeValue === 'watched') for (const [id, peer] of this.peers) if (!this.watched.has(peer.clientId)) this.peers.delete(id);
  }

  /** False when it is about this very connection. */
  joined(peer: PeerInfo): boolean {
    if (peer.id === this.self?.id) return false;
    this.peers.set(peer.id, peer);
    this.known.delete(peer.clientId);
    return true;
  }

  left(id: number, clientId: string): void {
    const peer = this.peers.get(id);
    this.peers.delete(id);
    if (peer && !this.isOnline(clientId))
      this.known.set(peer.clientId, { clientId: peer.clientId, name: peer.name, machine: peer.machine, lastSeen: Date.now() });
  }

  /** False when it is about this very connection. */
  updated(peer: PeerInfo): boolean {
    if (peer.id === this.self?.id) return false;
    this.peers.set(peer.id, peer);
    return true;
  }

  /** Returns whether the mode changed. */
  presence(message: Presence): boolean {
    const switched = message.mode !== this.modeValue;
    this.modeValue = message.mode;
    this.announced = message.online;
    if (message.mode === 'watched') {
      // Nobody will tell us when the others leave any more: keep only the watched.
      if (switched) this.keepOnlyWatched();
    } else if (message.peers) {
      this.peers.clear();
      for (const peer of message.peers) if (peer.id !== this.self?.id) this.peers.set(peer.id, peer);
      for (const peer of this.peers.values()) this.known.delete(peer.clientId);
    }
    return switched;
  }

  /** Replaces the watch set; in watched presence, those no longer watched are dropped. */
  watch(ids: Iterable<string>): void {
    this.watched.clear();
    for (const id of ids) this.watched.add(id);
    if (this.modeValue === 'watched') this.keepOnlyWatched();
  }

  /** The relay's answer to a watch: who of them is online, who offline. */
  watching(message: Watching): void {
    for (const peer of message.peers) this.joined(peer);
    for (const peer of message.known) if (!this.isOnline(peer.clientId)) this.known.set(peer.clientId, peer);
  }

  /** The connection is gone: nobody is known to be online. */
  disconnected(): void {
    this.peers.clear();
  }

  private keepOnlyWatched(): void {
    for (const [id, peer] of this.peers) if (!this.watched.has(peer.clientId)) this.peers.delete(id);
    for (const clientId of this.known.keys()) if (!this.watched.has(clientId)) this.known.delete(clientId);
  }
}

/** Checked before sending: a watch set the relay refuses would be refused on every reconnect. */
export function checkWatchIds(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  const bad = unique.find((id) => !isClientId(id));
  if (bad !== undefined) throw new TeamMessengerError(ErrorCode.BadMessage, `${JSON.stringify(bad)} is not a client id`);
  if (unique.length > Limits.watchIds)
    throw new TeamMessengerError(ErrorCode.TooLarge, `at most ${Limits.watchIds} peers can be watched, not ${unique.length}`);
  return unique;
}

/** The newest connection of each identity but `selfId`. */
export function newestPerIdentity(peers: Iterable<PeerInfo>, selfId: string): PeerInfo[] {
  const newest = new Map<string, PeerInfo>();
  for (const p of peers) {
    if (p.clientId === selfId) continue;
    const seen = newest.get(p.clientId);
    if (!seen || p.id > seen.id) newest.set(p.clientId, p);
  }
  return [...newest.values()];
}
