import type { Kvm } from '@nats-io/kv';
import type { Logger } from '../../net/logger';
import type { RelayMessage } from '../../net/protocol/messages';
import type { PeerDirectory } from '../peerDirectory';
import type { Presence, PresenceSession } from '../presence';
import { HeartbeatBook } from './heartbeatBook';
import { heartbeatSubject, kickSubject, presenceSubject } from './names';
import { PresenceSnapshots } from './presenceSnapshots';
import { CountedEvent, decodeJson, encodeJson, Heartbeat, KickRequest, PresenceEvent, RemoteConnection, Snapshot } from './presenceWire';
import { RemoteChange, RemoteMember, RemoteRoster, RESYNC } from './remoteRoster';

/** What cluster presence needs of a local connection. */
export interface ClusterSession extends PresenceSession {
  readonly id: number;
  /** The client process (a reconnect of the same process replaces its old connection). */
  readonly instance: string;
}

/** A message as a subscription hands it over. */
interface LinkMessage {
  subject: string;
  data: Uint8Array;
  respond(data?: Uint8Array): boolean;
}

/** What presence uses of the engine's NATS connection (written out: the client's own types do not
 *  resolve under this project's module settings, which would leave them all `any`). */
export interface PresenceLink {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, options: { callback: (err: Error | null, msg: LinkMessage) => void }): { unsubscribe(): void };
  request(subject: string, data: Uint8Array, options: { timeout: number }): Promise<unknown>;
  flush(): Promise<void>;
  status(): AsyncIterable<{ type: string }>;
}

export interface ClusterPresenceOptions<S extends ClusterSession> {
  nc: PresenceLink;
  kvm: Kvm;
  relayId: string;
  logger: Logger;
  presence: Presence<S>;
  directory: PeerDirectory;
  /** The relay's ready connections of one identity. */
  sessionsOf(clientId: string): readonly S[] | undefined;
  /** The history's stored seq: where an identity first seen on another relay starts being owed messages. */
  storedSeq(): number;
  /** Closes a local connection that its client process replaced by connecting to another relay. */
  replace(session: S): void;
  /** A connection on another relay left (its relay died too): its file transfers stop. */
  left?(member: RemoteMember): void;
  /** Copies of the KV bucket (the engine's replica count). */
  replicas?: number;
  heartbeatMs?: number;
  /** A relay not heard from for this long is dead: its people are shown as left. */
  deadAfterMs?: number;
  /** How long a burst of changes is gathered into one snapshot write (default: none beyond the
   *  write in flight, which gathers whatever comes meanwhile; a late relay reads it fresh). */
  snapshotDelayMs?: number;
  now?: () => number;
}

const KICK_TIMEOUT_MS = 2000;
/** A stopping relay waits at most this long for the engine to take its goodbye: an engine that is
 *  away must not hold up a shutdown (the others find out from the missed heartbeats instead). */
const GOODBYE_WAIT_MS = 1000;

/**
 * Presence across the relays of a cluster. Each relay owns its own connections: it tells the
 * others of every join, leave and status change (core NATS `tm.presence.<relay>`), says it is
 * alive every second (`tm.hb.<relay>`) and keeps its roster in the `tm_presence` bucket for
 * relays that start later. Their people are shown to local clients like local ones
 * (presence.ts, remoteRoster.ts); a relay silent for `deadAfterMs` is dead and its people leave.
 * A client process that reconnects through another relay has its old connection closed there.
 */
export class ClusterPresence<S extends ClusterSession> {
  readonly remote = new RemoteRoster();
  private readonly book: HeartbeatBook;
  /** This relay's own connections, as the others are told of them. */
  private readonly local = new Map<number, RemoteConnection>();
  /** How many changes this relay announced: events, heartbeats and snapshots carry it. */
  private changes = 0;
  private snapshots: PresenceSnapshots | undefined;
  private readonly subscriptions: { unsubscribe(): void }[] = [];
  private readonly resyncing = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** False while this relay's own link to the engine is down: silence then says nothing of the others. */
  private linked = true;
  private closed = false;
  private readonly now: () => number;
  private readonly heartbeatMs: number;

  constructor(private readonly options: ClusterPresenceOptions<S>) {
    this.now = options.now ?? Date.now;
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.book = new HeartbeatBook(options.deadAfterMs ?? 3 * this.heartbeatMs);
  }

  get relayId(): string {
    return this.options.relayId;
  }

  /** Joins: resolves once everyone already in the bucket is known (before the relay takes clients). */
  async start(): Promise<void> {
    const { nc, presence, directory, relayId } = this.options;
    this.snapshots = await PresenceSnapshots.open(this.options.kvm, {
      relayId,
      replicas: this.options.replicas ?? 1,
      current: () => this.snapshot(),
      logger: this.options.logger,
      delayMs: this.options.snapshotDelayMs ?? 0,
    });
    this.subscribe(presenceSubject('*'), (from, data) => this.onEvent(from, data));
    this.subscribe(heartbeatSubject('*'), (from, data) => this.onHeartbeat(from, data));
    const kicks = nc.subscribe(kickSubject(relayId), {
      callback: (err, msg) => {
        if (!err) msg.respond(encodeJson({ closed: this.onKick(msg.data) }));
      },
    });
    this.subscriptions.push(kicks);
    presence.joinCluster(this.remote, (clientId, message) => this.localChanged(clientId, message));
    directory.onlineElsewhere = (clientId) => this.remote.has(clientId);
    await this.snapshots.writeNow();
    await this.readEveryone();
    this.timer = setInterval(() => this.tick(), this.heartbeatMs);
    this.timer.unref();
    this.heartbeat();
    void this.watchLink();
  }

  /** Stops: the others are told this relay's people are gone, and its roster leaves the bucket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.publish(presenceSubject(this.relayId), { t: 'bye', n: ++this.changes });
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    if (!this.linked) {
      this.snapshots?.stop();
      return;
    }
    await atMost(GOODBYE_WAIT_MS, this.snapshots?.close() ?? Promise.resolve());
    await atMost(GOODBYE_WAIT_MS, this.options.nc.flush());
  }

  // ------------------------------------------------------------------ this relay's people

  /** Every local change presence announces (presence.ts calls this): told to the other relays. */
  private localChanged(clientId: string, message: RelayMessage): void {
    if (this.closed) return;
    switch (message.t) {
      case 'joined': {
        const session = this.options.sessionsOf(clientId)?.find((s) => s.id === message.peer.id);
        const instance = session?.instance ?? '';
        this.local.set(message.peer.id, { peer: message.peer, instance });
        this.publishChange({ ...message, n: ++this.changes, instance });
        this.replaceElsewhere(clientId, instance);
        break;
      }
      case 'peer': {
        const connection = this.local.get(message.peer.id);
        if (!connection) return;
        connection.peer = message.peer;
        this.publishChange({ ...message, n: ++this.changes });
        break;
      }
      case 'left':
        if (!this.local.delete(message.id)) return;
        this.publishChange({ ...message, n: ++this.changes });
        break;
      default:
        return;
    }
    this.snapshots?.changed();
  }

  private snapshot(): Snapshot {
    return { n: this.changes, connections: [...this.local.values()] };
  }

  /** The same client process connected here: its connections on other relays are stale. */
  private replaceElsewhere(clientId: string, instance: string): void {
    const byRelay = new Map<string, number[]>();
    for (const member of this.remote.sameProcess(clientId, instance)) {
      byRelay.set(member.relayId, [...(byRelay.get(member.relayId) ?? []), member.remoteId]);
    }
    for (const [relayId, ids] of byRelay) {
      const request: KickRequest = { clientId, ids };
      this.options.nc.request(kickSubject(relayId), encodeJson(request), { timeout: KICK_TIMEOUT_MS }).then(
        () => this.options.logger.info('asked another relay to close a replaced connection', { relay: relayId, clientId, ids }),
        (err: Error) => this.options.logger.warn('another relay did not close a replaced connection', { relay: relayId, clientId, error: err.message }),
      );
    }
  }

  /** Another relay asks: close these connections, their client process is connected there now. */
  private onKick(data: Uint8Array): number {
    const request = decodeJson(KickRequest, data);
    if (request instanceof Error) {
      this.options.logger.warn('ignoring a malformed kick request', { error: request.message });
      return 0;
    }
    const wanted = new Set(request.ids);
    const stale = (this.options.sessionsOf(request.clientId) ?? []).filter((s) => wanted.has(s.id));
    for (const session of stale) this.options.replace(session);
    return stale.length;
  }

  // ------------------------------------------------------------------ the other relays

  private onEvent(relayId: string, data: Uint8Array): void {
    const event = decodeJson(PresenceEvent, data);
    if (event instanceof Error) {
      this.options.logger.warn('ignoring a malformed presence event', { relay: relayId, error: event.message });
      return;
    }
    if (event.t === 'dead') {
      // Declared dead while alive (a stall, a cut): the others will read the roster again.
      if (event.relay === this.relayId) this.snapshots?.changed(0);
      return;
    }
    this.applyEvent(relayId, event);
  }

  private applyEvent(relayId: string, event: CountedEvent): void {
    if (event.t === 'bye') this.book.forget(relayId);
    else this.book.heard(relayId, this.now());
    const changes = this.remote.apply(relayId, event);
    if (changes === RESYNC) void this.resync(relayId);
    else this.show(changes);
  }

  private onHeartbeat(relayId: string, data: Uint8Array): void {
    const beat = decodeJson(Heartbeat, data);
    if (beat instanceof Error) {
      this.options.logger.warn('ignoring a malformed heartbeat', { relay: relayId, error: beat.message });
      return;
    }
    this.book.heard(relayId, this.now());
    // Events and heartbeats leave a relay in order: a count that differs means one was lost.
    if (this.remote.changeCount(relayId) !== beat.n) void this.resync(relayId);
  }

  /** Reads one relay's roster from the bucket and shows what differs. */
  private async resync(relayId: string): Promise<void> {
    if (this.resyncing.has(relayId) || !this.snapshots) return;
    this.resyncing.add(relayId);
    try {
      const stored = await this.snapshots.read(relayId);
      // A relay that said goodbye or died meanwhile stays gone.
      if (stored && this.book.has(relayId) && !this.closed) this.show(this.remote.applySnapshot(relayId, stored.snapshot));
    } catch (err) {
      this.options.logger.warn('cannot read a relay presence snapshot', { relay: relayId, error: (err as Error).message });
    } finally {
      this.resyncing.delete(relayId);
    }
  }

  /** Everyone in the bucket (at start and after a reconnect); each relay counts as alive until it proves silent. */
  private async readEveryone(): Promise<void> {
    let relayIds: string[];
    try {
      relayIds = await this.snapshots!.relayIds();
    } catch (err) {
      this.options.logger.warn('cannot list the presence snapshots', { error: (err as Error).message });
      return;
    }
    for (const relayId of relayIds) if (!this.book.has(relayId)) this.book.heard(relayId, this.now());
    await Promise.all(relayIds.map((relayId) => this.resync(relayId)));
  }

  /** Tells local clients what changed elsewhere, and keeps the directory's online/offline in step. */
  private show(changes: RemoteChange[]): void {
    const { presence, directory } = this.options;
    for (const change of changes) {
      const { member } = change;
      const clientId = member.clientId;
      const here = this.options.sessionsOf(clientId) !== undefined;
      if (change.kind === 'joined') {
        directory.seen(clientId, member.name, member.machine, this.now(), this.options.storedSeq());
        presence.remoteJoined(member);
        if (!here && this.remote.membersOf(clientId)?.length === 1) presence.countChanged();
      } else if (change.kind === 'updated') {
        presence.remoteUpdated(member);
      } else {
        presence.remoteLeft(member, change.reason);
        this.options.left?.(member);
        if (!here && !this.remote.has(clientId)) {
          directory.left(clientId, this.now());
          presence.countChanged();
        }
      }
    }
  }

  private tick(): void {
    this.heartbeat();
    // Our own silence is not theirs: no verdicts while this relay is cut off.
    if (!this.linked) return;
    for (const relayId of this.book.takeDead(this.now())) {
      this.options.logger.warn('relay stopped answering; its people are shown as left', { relay: relayId });
      this.show(this.remote.drop(relayId, 'their relay stopped answering'));
      this.publish(presenceSubject(this.relayId), { t: 'dead', relay: relayId });
      void this.snapshots?.removeDead(relayId).catch(() => undefined);
    }
  }

  private heartbeat(): void {
    const beat: Heartbeat = { n: this.changes };
    this.publish(heartbeatSubject(this.relayId), beat);
  }

  /** Follows this relay's own link: after a cut, the others may have missed our changes and we theirs. */
  private async watchLink(): Promise<void> {
    const statuses = this.options.nc.status();
    this.subscriptions.push({ unsubscribe: () => (statuses as { stop?: () => void }).stop?.() });
    for await (const status of statuses) {
      if (this.closed) return;
      if (status.type === 'disconnect') this.linked = false;
      else if (status.type === 'reconnect') {
        this.linked = true;
        this.book.pardonAll(this.now());
        this.snapshots?.changed(0);
        void this.readEveryone();
      }
    }
  }

  private publishChange(event: CountedEvent): void {
    this.publish(presenceSubject(this.relayId), event);
  }

  private publish(subject: string, value: unknown): void {
    try {
      this.options.nc.publish(subject, encodeJson(value));
    } catch (err) {
      // A closed connection (the engine link is being torn down): the others time us out.
      this.options.logger.debug('cannot publish presence', { subject, error: (err as Error).message });
    }
  }

  private subscribe(subject: string, handle: (relayId: string, data: Uint8Array) => void): void {
    const subscription = this.options.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err || this.closed) return;
        const relayId = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        if (relayId !== this.relayId) handle(relayId, msg.data);
      },
    });
    this.subscriptions.push(subscription);
  }
}

/** Waits for `work` (its failure is as good as its success here), but no longer than `ms`. */
async function atMost(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
