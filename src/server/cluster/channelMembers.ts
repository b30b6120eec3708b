import type { KvWatchEntry } from '@nats-io/kv';
import type { MemoryTeamStore } from '../memoryTeamStore';
import type { ChannelRecord } from '../teamStore';

/** Told once a turn's joins and leaves of a channel are in the relay's copy. */
export type MembersTold = (before: ChannelRecord, after: ChannelRecord) => void;

/**
 * The members of a relay cluster's channels as the bucket has them, one key each (teamKeys.ts
 * memberKey), put into the relay's copy. Joins and leaves that come together (a channel made
 * with its members, a burst of joins, a store loading the bucket) change one copy of the
 * channel and are told once, in the next turn: a channel of many members is copied once per
 * burst, not once per member. Member keys that come before their channel wait for it.
 */
export class ChannelMembers {
  /** Channels whose members changed this turn: the record before, and the one now in memory. */
  private readonly batches = new Map<string, { before: ChannelRecord; after: ChannelRecord; members: Set<string> }>();
  /** Members of channels not held here yet. */
  private readonly orphans = new Map<string, Set<string>>();
  /** Member keys held back until this relay's own change of their channel is written. */
  private readonly deferred = new Map<string, Map<string, KvWatchEntry>>();
  private flushQueued = false;

  constructor(
    private readonly memory: MemoryTeamStore,
    private readonly told: MembersTold,
  ) {}

  /** `clientId` is (`member`) or is no longer a member of channel `id`. */
  change(id: string, clientId: string, member: boolean): void {
    const current = this.memory.channel(id);
    if (!current) {
      const waiting = this.orphans.get(id) ?? new Set<string>();
      if (member) waiting.add(clientId);
      else waiting.delete(clientId);
      if (waiting.size > 0) this.orphans.set(id, waiting);
      else this.orphans.delete(id);
      return;
    }
    let batch = this.batches.get(id);
    // Replaced since by a change that is told on its own: a new batch starts from it.
    if (batch && batch.after !== current) batch = undefined;
    if (!batch) {
      if (current.members.has(clientId) === member) return;
      const members = new Set(current.members);
      batch = { before: current, after: { ...current, members }, members };
      this.batches.set(id, batch);
      this.memory.restoreChannel(id, batch.after);
      this.queueFlush();
    }
    if (member) batch.members.add(clientId);
    else batch.members.delete(clientId);
  }

  /** Tells channel `id`'s pending joins and leaves now: before anything else replaces it. */
  settle(id: string): void {
    const batch = this.batches.get(id);
    if (!batch) return;
    this.batches.delete(id);
    if (this.memory.channel(id) === batch.after) this.told(batch.before, batch.after);
  }

  /** Channel `value` (its name, topic and flags from the bucket) with the members held for it. */
  withMembers(value: ChannelRecord, held: ChannelRecord | undefined): ChannelRecord {
    const known = held?.members ?? this.orphans.get(value.id);
    this.orphans.delete(value.id);
    // A value of the version before lists members: they count too (their keys come with its next change).
    if (value.members.size === 0) return { ...value, members: known ?? new Set() };
    return { ...value, members: new Set([...(known ?? []), ...value.members]) };
  }

  defer(id: string, entry: KvWatchEntry): void {
    const waiting = this.deferred.get(id) ?? new Map<string, KvWatchEntry>();
    waiting.set(entry.key, entry);
    this.deferred.set(id, waiting);
  }

  /** The member keys of channel `id` held back, in the order they came; no longer held. */
  takeDeferred(id: string): KvWatchEntry[] {
    const waiting = this.deferred.get(id);
    this.deferred.delete(id);
    return waiting ? [...waiting.values()].sort((a, b) => a.revision - b.revision) : [];
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      for (const id of [...this.batches.keys()]) this.settle(id);
    });
  }
}
