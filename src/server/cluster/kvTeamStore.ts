import type { KV, KvWatchEntry, Kvm } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import { GENERAL_CHANNEL } from '../../net/protocol/conversationKeys';
import type { Logger } from '../../net/logger';
import { MemoryBackedTeamStore } from '../memoryBackedTeamStore';
import type { ChannelRecord, MessageState, TeamStoreRefusal } from '../teamStore';
import { ChannelMembers } from './channelMembers';
import { channelKey, parseTeamKey, TEAM_BUCKET } from './teamKeys';
import { keyOf, TeamOp, TeamOpWriter } from './teamOps';
import { decodeChannel, decodeRead, decodeReceipts, decodeState } from './teamValues';
import { TeamWriteQueue } from './teamWriteQueue';
import { watchBucket } from './bucketWatch';
import { whileForming } from './whileForming';

/** What another relay changed, for whoever tells this relay's people (relay wiring). */
export type RemoteTeamChange =
  { kind: 'channel'; before: ChannelRecord | undefined; after: ChannelRecord } | { kind: 'read'; clientId: string; conv: string; seq: number };

/**
 * The team store of a relay in a cluster: a copy in memory (memoryTeamStore.ts) so every read
 * stays synchronous, every change written to the `tm_team` KV bucket in order (teamWriteQueue.ts,
 * teamOps.ts), and the bucket watched so what other relays change shows up here. Last writer
 * wins by revision, except read markers (the larger seq) and channels (each change re-applied on
 * the latest record; members are keys of their own, channelMembers.ts). A key with this relay's
 * own change still on its way ignores the others' values until that change lands or is refused
 * (then the latest one is applied); a channel's member keys wait for the channel's changes.
 */
export class KvTeamStore extends MemoryBackedTeamStore {
  private readonly revisions = new Map<string, number>();
  /** Other relays' latest values of keys this relay was writing: applied once it is done. */
  private readonly deferred = new Map<string, KvWatchEntry>();
  private readonly queue: TeamWriteQueue;
  private readonly members: ChannelMembers;
  private readonly listeners: ((change: RemoteTeamChange) => void)[] = [];
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  private loaded = false;

  constructor(private readonly logger: Logger) {
    super();
    this.queue = new TeamWriteQueue(
      (op, refusal) => this.undo(op, refusal),
      (key) => this.applyDeferred(key),
      logger,
    );
    this.members = new ChannelMembers(this.memory, (before, after) => this.tell({ kind: 'channel', before, after }));
  }

  /** Opens (or makes) the bucket and loads everything in it; call before the relay listens.
   *  Changes made before are kept and written from now on. */
  async open(kvm: Kvm, options: { replicas?: number } = {}): Promise<void> {
    const kv: KV = await whileForming(() => kvm.create(TEAM_BUCKET, { history: 1, replicas: options.replicas ?? 1 }), this.logger, TEAM_BUCKET);
    this.watcher = await whileForming(() => watchBucket(kv, TEAM_BUCKET, (entry) => this.apply(entry), this.logger), this.logger, TEAM_BUCKET);
    this.loaded = true;
    const writer = new TeamOpWriter(kv, this.revisions);
    this.queue.start((op) => this.write(writer, op));
    this.logger.info('team store loaded from the cluster', { bucket: TEAM_BUCKET, channels: this.memory.channelCount });
  }

  /** Tells `listener` of every change another relay made, once it is in this relay's copy. */
  onRemoteChange(listener: (change: RemoteTeamChange) => void): void {
    this.listeners.push(listener);
  }

  /** Waits (at most `timeoutMs`) for every change to reach the engine: before the engine
   *  connection closes. False when some did not. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.queue.drain(timeoutMs);
  }

  /** Changes not yet in the engine. */
  get backlog(): number {
    return this.queue.backlog;
  }

  putChannel(channel: ChannelRecord): void {
    // Other relays' joins and leaves held for telling are told before this change.
    this.members.settle(channel.id);
    const before = this.memory.channel(channel.id);
    this.memory.putChannel(channel);
    this.queue.add({ kind: 'channel', before, after: channel });
  }

  setReadMarker(clientId: string, conv: string, seq: number): boolean {
    if (!this.memory.setReadMarker(clientId, conv, seq)) return false;
    this.queue.add({ kind: 'read', clientId, conv, seq });
    return true;
  }

  setSendsReceipts(clientId: string, on: boolean): void {
    if (this.memory.sendsReceipts(clientId) === on) return;
    this.memory.setSendsReceipts(clientId, on);
    this.queue.add({ kind: 'receipts', clientId, on });
  }

  setMessageState(seq: number, state: MessageState): void {
    this.memory.setMessageState(seq, state);
    this.queue.add({ kind: 'state', seq, state });
  }

  forgetMessagesUpTo(seq: number): void {
    if (this.memory.messageStateCount === 0) return;
    const gone: number[] = [];
    for (const [stateSeq] of this.memory.messageStates()) if (stateSeq <= seq) gone.push(stateSeq);
    this.memory.forgetMessagesUpTo(seq);
    for (const stateSeq of gone) this.queue.add({ kind: 'forget', seq: stateSeq });
  }

  written(): Promise<void> {
    return this.queue.mark();
  }

  /** Puts what changed in line for the engine; never throws (a failed write is retried). */
  flush(): void {
    this.queue.flush();
  }

  close(): void {
    this.queue.close();
    this.watcher?.stop();
  }

  private async write(writer: TeamOpWriter, op: TeamOp): Promise<void> {
    const stored = await writer.write(op);
    // The bucket's value includes what other relays did meanwhile; a later change of this
    // relay to the same key is still in memory and must stay there.
    // Members are not in the channel's value: those held here stay (other relays' joins included).
    if (op.kind === 'channel' && stored && typeof stored === 'object' && this.queue.pendingFor(keyOf(op)) === 1) {
      this.members.settle(stored.id);
      this.memory.putChannel({ ...stored, members: this.memory.channel(stored.id)?.members ?? stored.members });
    }
    if (op.kind === 'read' && typeof stored === 'number') this.memory.setReadMarker(op.clientId, op.conv, stored);
  }

  /** A refused change is taken back: the channel as it was (the latest remote value follows). */
  private undo(op: TeamOp, refusal: TeamStoreRefusal): void {
    if (op.kind !== 'channel') return;
    const later = this.queue.pendingFor(keyOf(op)) > 1;
    this.members.settle(op.after.id);
    if (!later) this.memory.restoreChannel(op.after.id, op.before);
    this.logger.info('undid a team change another relay made impossible', { channel: op.after.id, name: op.after.name, reason: refusal.message });
  }

  private applyDeferred(key: string): void {
    if (this.queue.pendingFor(key) > 0) return;
    const entry = this.deferred.get(key);
    if (entry) {
      this.deferred.delete(key);
      this.apply(entry);
    }
    const parsed = parseTeamKey(key);
    if (parsed?.kind === 'channel') for (const member of this.members.takeDeferred(parsed.id)) this.apply(member);
  }

  /** Another relay's value (or this relay's echo, skipped) into the copy in memory. */
  private apply(entry: KvWatchEntry): void {
    const key = parseTeamKey(entry.key);
    if (!key || key.kind === 'name' || entry.revision <= (this.revisions.get(entry.key) ?? 0)) return;
    if (key.kind === 'member') {
      // Behind this relay's own change of the channel: applied once that is written.
      if (this.queue.pendingFor(channelKey(key.id)) > 0) return this.members.defer(key.id, entry);
      this.revisions.set(entry.key, entry.revision);
      this.members.change(key.id, key.clientId, entry.operation === 'PUT');
      return;
    }
    if (key.kind !== 'read' && this.queue.pendingFor(entry.key) > 0) {
      this.deferred.set(entry.key, entry);
      return;
    }
    this.revisions.set(entry.key, entry.revision);
    const removed = entry.operation !== 'PUT';
    const value = removed ? undefined : decodeValue(key.kind, entry.value);
    if (value instanceof Error) {
      this.logger.warn('skipping an unreadable team value', { key: entry.key, error: value.message });
      return;
    }
    if (key.kind === 'channel') {
      if (removed && key.id === GENERAL_CHANNEL) return;
      this.members.settle(key.id);
      const before = this.memory.channel(key.id);
      const after = value === undefined ? undefined : this.members.withMembers(value as ChannelRecord, before);
      this.memory.restoreChannel(key.id, after);
      if (after) this.tell({ kind: 'channel', before, after });
    } else if (key.kind === 'read') {
      if (value !== undefined && this.memory.setReadMarker(key.clientId, key.conv, value as number)) {
        this.tell({ kind: 'read', clientId: key.clientId, conv: key.conv, seq: value as number });
      }
    } else if (key.kind === 'receipts') {
      if (value !== undefined) this.memory.setSendsReceipts(key.clientId, value as boolean);
    } else {
      // Every relay applies a change in the stream's order and writes the result: a write from a
      // relay further behind must not take a newer state back.
      const state = value as MessageState | undefined;
      const held = this.memory.messageState(key.seq)?.at;
      if (state?.at !== undefined && held !== undefined && state.at < held) return;
      this.memory.restoreMessageState(key.seq, state);
    }
  }

  private tell(change: RemoteTeamChange): void {
    if (!this.loaded) return;
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error('a team change listener failed', { error: (err as Error).message });
      }
    }
  }
}

function decodeValue(kind: 'channel' | 'read' | 'receipts' | 'state', bytes: Uint8Array): ChannelRecord | number | boolean | MessageState | Error {
  if (kind === 'channel') return decodeChannel(bytes);
  if (kind === 'read') return decodeRead(bytes);
  if (kind === 'receipts') return decodeReceipts(bytes);
  return decodeState(bytes);
}
