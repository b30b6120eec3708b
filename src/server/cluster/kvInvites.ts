import type { KV, KvWatchEntry, Kvm } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { InviteLimits } from '../../net/protocol/inviteMessages';
import type { Logger } from '../../net/logger';
import { CountUse, InviteMirror, Invites, Stored } from '../invites';
import { watchBucket } from './bucketWatch';
import { whileForming } from './whileForming';

export const INVITES_BUCKET = 'tm_invites';
/** After the engine failed a write, the next try waits this long. */
const RETRY_MS = 1000;

/**
 * The invites of a relay cluster in the `tm_invites` KV bucket (key: invite id), so an invite
 * made through one relay lets a newcomer in through any, and a use or a revocation counts on
 * every relay. The relay's Invites keeps the copy it answers from at once; each change is
 * written after (kept and retried while the engine is away) and merged with what other relays
 * wrote: uses are the union of who came in, revoked stays revoked.
 *
 * A use is counted on the relay first, so two relays letting two newcomers in with the last use
 * of one invite in the same instant both do (logged): the bucket then shows it used once more.
 */
export class KvInvites implements InviteMirror {
  private invites: Invites | undefined;
  private kv: KV | undefined;
  private watcher: QueuedIterator<KvWatchEntry> | undefined;
  /** Invites changed here and not yet written: 'saved' or 'removed'. */
  private readonly dirty = new Map<string, 'saved' | 'removed'>();
  private writing: Promise<void> | undefined;
  private failing = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger) {}

  /** The relay's invites this keeps in step with the bucket (they were made with this mirror). */
  bind(invites: Invites): void {
    this.invites = invites;
  }

  /** Loads every invite of the cluster; changes made before are written from now on. */
  async open(kvm: Kvm, options: { replicas?: number } = {}): Promise<void> {
    const kv = await whileForming(() => kvm.create(INVITES_BUCKET, { history: 1, replicas: options.replicas ?? 1 }), this.logger, INVITES_BUCKET);
    this.watcher = await whileForming(() => watchBucket(kv, INVITES_BUCKET, (entry) => this.apply(entry), this.logger), this.logger, INVITES_BUCKET);
    this.kv = kv;
    this.kick();
  }

  saved(invite: Stored): void {
    this.dirty.set(invite.id, 'saved');
    this.kick();
  }

  removed(id: string): void {
    this.dirty.set(id, 'removed');
    this.kick();
  }

  async use(id: string, count: CountUse): Promise<Stored | string> {
    if (!this.kv || this.closed) throw new Error('the invites bucket is not open');
    for (let round = 0; round < 20; round++) {
      const entry = await this.kv.get(id);
      const current = entry?.operation === 'PUT' ? parseInvite(entry.value) : undefined;
      // Made here and not yet written, or written and not yet seen here: either copy counts.
      const local = this.invites?.get(id);
      const base = current && local ? merged(current, local, this.logger) : (current ?? local);
      const after = count(base);
      if (typeof after === 'string' || after === base) return after;
      try {
        if (entry) await this.kv.update(id, JSON.stringify(after), entry.revision);
        else await this.kv.create(id, JSON.stringify(after));
        this.invites?.adopt(after);
        return after;
      } catch (err) {
        if (!isRace(err)) throw err;
      }
    }
    throw new Error(`invite ${id} kept changing`);
  }

  /** Waits (at most `timeoutMs`) until every change is written; false when some are not. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.dirty.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    return this.dirty.size === 0;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.watcher?.stop();
    if (this.dirty.size > 0) this.logger.error('the relay stopped before these invite changes reached the engine', { invites: this.dirty.size });
  }

  private kick(): void {
    if (this.writing || !this.kv || this.closed) return;
    this.writing = this.writeAll().finally(() => (this.writing = undefined));
  }

  private async writeAll(): Promise<void> {
    while (this.dirty.size > 0 && !this.closed) {
      const [id, what] = this.dirty.entries().next().value as [string, 'saved' | 'removed'];
      this.dirty.delete(id);
      try {
        if (what === 'removed') await this.kv!.delete(id);
        else await this.write(id);
        if (this.failing) this.logger.info('invite changes reach the engine again');
        this.failing = false;
      } catch (err) {
        // Kept (unless changed again meanwhile) and tried again: nothing made while away is lost.
        if (!this.dirty.has(id)) this.dirty.set(id, what);
        if (!this.failing) this.logger.warn('cannot store invites in the engine; keeping them and trying again', { error: (err as Error).message });
        this.failing = true;
        await new Promise((resolve) => (this.retryTimer = setTimeout(resolve, RETRY_MS)));
      }
    }
  }

  /** Writes this relay's copy merged with the bucket's (compare-and-set, again on a race). */
  private async write(id: string): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const local = this.invites?.get(id);
      if (!local) return;
      const entry = await this.kv!.get(id);
      const current = entry?.operation === 'PUT' ? parseInvite(entry.value) : undefined;
      const value = current ? merged(current, local, this.logger) : local;
      if (current && JSON.stringify(current) === JSON.stringify(value)) return;
      try {
        if (entry) await this.kv!.update(id, JSON.stringify(value), entry.revision);
        else await this.kv!.create(id, JSON.stringify(value));
        this.invites?.adopt(value);
        return;
      } catch (err) {
        if (!isRace(err)) throw err;
      }
    }
    throw new Error(`invite ${id} kept changing`);
  }

  /** Another relay's invite (or this relay's echo) into the copy the relay answers from. */
  private apply(entry: KvWatchEntry): void {
    if (!this.invites) return;
    if (entry.operation !== 'PUT') {
      if (this.dirty.get(entry.key) !== 'saved') this.invites.drop(entry.key);
      return;
    }
    const remote = parseInvite(entry.value);
    if (!remote) {
      this.logger.warn('skipping an unreadable invite in the cluster', { id: entry.key });
      return;
    }
    const local = this.invites.get(remote.id);
    this.invites.adopt(local ? merged(remote, local, this.logger) : remote);
  }
}

/** Both relays' knowledge of one invite: everyone who came in with it, revoked if either says so. */
function merged(a: Stored, b: Stored, logger: Logger): Stored {
  const by = [...new Set([...a.redeemedBy, ...b.redeemedBy])];
  if (by.length > a.uses && by.length > Math.max(a.redeemedBy.length, b.redeemedBy.length)) {
    logger.warn('an invite let in one more newcomer than allowed: two relays used it at the same moment', { id: a.id, uses: a.uses, used: by.length });
  }
  const redeemedBy = by.slice(0, InviteLimits.maxUses);
  return { ...a, revoked: a.revoked || b.revoked, redeemedBy, used: Math.max(a.used, b.used, redeemedBy.length) };
}

/** Another relay wrote the key since it was read (the compare-and-set lost). */
function isRace(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

function parseInvite(bytes: Uint8Array): Stored | undefined {
  try {
    const parsed = Stored.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
