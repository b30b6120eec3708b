import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { GENERAL_CHANNEL } from '../../net/protocol/conversationKeys';
import { ErrorCode } from '../../net/protocol/errors';
import { ChannelRecord, MessageState, TeamStoreRefusal } from '../teamStore';
import { channelKey, memberKey, nameKey, readKey, receiptsKey, stateKey } from './teamKeys';
import { decodeChannel, decodeRead, encodeChannel, encodeRead, encodeReceipts, encodeState, MEMBER_VALUE } from './teamValues';

/** One change of the team store on its way to the bucket. */
export type TeamOp =
  | { kind: 'channel'; before: ChannelRecord | undefined; after: ChannelRecord }
  | { kind: 'read'; clientId: string; conv: string; seq: number }
  | { kind: 'receipts'; clientId: string; on: boolean }
  | { kind: 'state'; seq: number; state: MessageState }
  | { kind: 'forget'; seq: number };

/** A name claim younger than this is someone's creation under way, never a leftover. */
const STALE_CLAIM_MS = 10_000;
/** Compare-and-set rounds before giving up for now (the queue tries again later). */
const CAS_ROUNDS = 20;
const KEEP = Symbol('keep');

export function keyOf(op: TeamOp): string {
  switch (op.kind) {
    case 'channel':
      return channelKey(op.after.id);
    case 'read':
      return readKey(op.clientId, op.conv);
    case 'receipts':
      return receiptsKey(op.clientId);
    default:
      return stateKey(op.seq);
  }
}

/**
 * Writes team changes to the bucket so that two relays changing the same thing at once both
 * count: a channel's name, topic and flags are re-read and the change re-applied on top
 * (compare-and-set on its revision), each member joining or leaving is a key of its own, a read
 * marker keeps the larger seq, a channel name is claimed with a create (the loser is refused
 * with CONFLICT). Errors other than a refusal mean the engine is away; a change is written
 * again whole then, which changes nothing twice.
 */
export class TeamOpWriter {
  constructor(
    private readonly kv: KV,
    /** The latest revision of each key this relay wrote or read (its echo is then skipped). */
    private readonly revisions: Map<string, number>,
  ) {}

  /** Writes `op`; for a channel and a read marker, the value as the bucket now holds it. */
  async write(op: TeamOp): Promise<ChannelRecord | number | undefined> {
    switch (op.kind) {
      case 'channel':
        return this.writeChannel(op.before, op.after);
      case 'read':
        return this.cas(keyOf(op), decodeRead, encodeRead, (current) => (current !== undefined && current >= op.seq ? KEEP : op.seq));
      case 'receipts':
        this.revisions.set(keyOf(op), await this.kv.put(keyOf(op), encodeReceipts(op.on)));
        return undefined;
      case 'state':
        this.revisions.set(keyOf(op), await this.kv.put(keyOf(op), encodeState(op.state)));
        return undefined;
      case 'forget':
        await this.kv.delete(keyOf(op));
        return undefined;
    }
  }

  private async writeChannel(before: ChannelRecord | undefined, after: ChannelRecord): Promise<ChannelRecord | undefined> {
    const claims = !after.archived && (!before || before.archived || before.name !== after.name);
    if (claims) await this.claimName(after.name, after.id);
    let listed: ReadonlySet<string> = new Set();
    const stored = await this.cas(channelKey(after.id), decodeChannel, encodeChannel, (current) => {
      // Changed here while another relay's refusal undid its creation: nothing to change.
      if (!current && before && after.id !== GENERAL_CHANNEL) throw new TeamStoreRefusal(ErrorCode.NotFound, `#${after.name} no longer exists`);
      listed = current?.members ?? new Set();
      return current ? reapplied(current, before, after) : after;
    });
    // Who joined with this change gets a key, who left loses it; the members a relay of the
    // version before listed in the channel's value get keys of their own (unless they left now).
    const was = before?.members ?? new Set<string>();
    const left = new Set([...was].filter((member) => !after.members.has(member)));
    const joined = [...after.members].filter((member) => !was.has(member));
    await inBatches([...new Set([...joined, ...[...listed].filter((m) => !left.has(m))])], async (member) => {
      const key = memberKey(after.id, member);
      this.revisions.set(key, await this.kv.put(key, MEMBER_VALUE));
    });
    await inBatches([...left], (member) => this.kv.delete(memberKey(after.id, member)));
    if (before && !before.archived && (after.archived || before.name !== after.name)) await this.releaseName(before.name, after.id);
    return stored;
  }

  /** Takes `name` for channel `id`, or refuses when a live channel of another relay holds it. */
  private async claimName(name: string, id: string): Promise<void> {
    const key = nameKey(name);
    for (let round = 0; round < CAS_ROUNDS; round++) {
      try {
        this.revisions.set(key, await this.kv.create(key, id));
        return;
      } catch (err) {
        if (!wrongRevision(err)) throw err;
      }
      const claim = await this.kv.get(key);
      if (!claim || claim.operation !== 'PUT') continue;
      const owner = claim.string();
      if (owner === id) return;
      if (Date.now() - claim.created.getTime() < STALE_CLAIM_MS || (await this.holdsName(owner, name))) {
        throw new TeamStoreRefusal(ErrorCode.Conflict, `there is a channel named #${name} already (made on another relay just now)`);
      }
      try {
        this.revisions.set(key, await this.kv.update(key, id, claim.revision));
        return;
      } catch (err) {
        if (!wrongRevision(err)) throw err;
      }
    }
    throw new Error(`the claim on #${name} kept changing`);
  }

  /** Whether channel `id` is live and named `name` (its claim is no leftover). */
  private async holdsName(id: string, name: string): Promise<boolean> {
    const entry = await this.kv.get(channelKey(id));
    const channel = entry?.operation === 'PUT' ? decodeChannel(entry.value) : undefined;
    return channel !== undefined && !(channel instanceof Error) && !channel.archived && channel.name === name;
  }

  private async releaseName(name: string, id: string): Promise<void> {
    const claim = await this.kv.get(nameKey(name));
    if (claim?.operation !== 'PUT' || claim.string() !== id) return;
    await this.kv.delete(nameKey(name), { previousSeq: claim.revision }).catch((err: unknown) => {
      if (!wrongRevision(err)) throw err;
    });
  }

  /** Reads the key, computes the next value from it, writes it if nobody wrote in between
   *  (else again); the value the bucket holds in the end. */
  private async cas<T>(
    key: string,
    decode: (bytes: Uint8Array) => T | Error,
    encode: (value: T) => string,
    next: (current: T | undefined) => T | typeof KEEP,
  ): Promise<T | undefined> {
    for (let round = 0; round < CAS_ROUNDS; round++) {
      const entry = await this.kv.get(key);
      const decoded = entry?.operation === 'PUT' ? decode(entry.value) : undefined;
      // An unreadable value (another version's) is overwritten, not merged.
      const current = decoded instanceof Error ? undefined : decoded;
      const value = next(current);
      if (value === KEEP) return current;
      try {
        const revision = entry ? await this.kv.update(key, encode(value), entry.revision) : await this.kv.create(key, encode(value));
        this.revisions.set(key, revision);
        return value;
      } catch (err) {
        if (!wrongRevision(err)) throw err;
      }
    }
    throw new Error(`${key} kept changing`);
  }
}

/** A channel's value as another relay left it with this relay's change (before → after) on
 *  top; its members are this relay's (they are written as keys of their own). */
function reapplied(current: ChannelRecord, before: ChannelRecord | undefined, after: ChannelRecord): ChannelRecord {
  if (!before) return after;
  const pick = <K extends 'name' | 'topic' | 'private' | 'archived'>(field: K) => (before[field] !== after[field] ? after[field] : current[field]);
  return { ...current, name: pick('name'), topic: pick('topic'), private: pick('private'), archived: pick('archived'), members: after.members };
}

/** Many keys at once, a batch in flight at a time: the engine answers each, in any order. */
async function inBatches<T>(items: T[], write: (item: T) => Promise<unknown>, size = 256): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(write));
}

function wrongRevision(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
