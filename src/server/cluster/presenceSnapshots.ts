import type { KV, Kvm } from '@nats-io/kv';
import type { Logger } from '../../net/logger';
import { PRESENCE_BUCKET } from './names';
import { decodeSnapshot, encodeSnapshot, Snapshot } from './presenceWire';
import { whileForming } from './whileForming';

/** A snapshot read from the bucket, with the revision a conditional delete needs. */
export interface StoredSnapshot {
  snapshot: Snapshot;
  revision: number;
}

/**
 * The `tm_presence` KV bucket: each relay's roster under its own key, so a relay that starts (or
 * comes back from a cut) learns everyone at once instead of waiting for their events.
 *
 * Writes are coalesced (a burst of joins is one put) and never overlap, so an older roster can
 * never land after a newer one.
 */
/** After a failed write (the engine is away) the next try waits this long, not the short pause. */
const RETRY_MS = 1000;

export class PresenceSnapshots {
  /** The put under way: never two at once, and close() waits for it. */
  private writing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly kv: KV,
    private readonly relayId: string,
    /** What to write: this relay's roster as it is when the write starts. */
    private readonly current: () => Snapshot,
    private readonly logger: Logger,
    private readonly delayMs: number,
  ) {}

  /** Opens the bucket (making it when it is missing: the first relay of a cluster does). */
  static async open(
    kvm: Kvm,
    options: { relayId: string; replicas: number; current: () => Snapshot; logger: Logger; delayMs: number },
  ): Promise<PresenceSnapshots> {
    // One value per key: only the latest roster matters.
    const kv = await whileForming(() => kvm.create(PRESENCE_BUCKET, { history: 1, replicas: options.replicas }), options.logger, PRESENCE_BUCKET);
    return new PresenceSnapshots(kv, options.relayId, options.current, options.logger, options.delayMs);
  }

  /** This relay's roster changed: written after a short pause that gathers a burst into one put. */
  changed(delayMs = this.delayMs): void {
    if (this.closed) return;
    if (this.writing) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, delayMs);
    this.timer.unref();
  }

  /** Written now (at start, before this relay's first heartbeat). */
  async writeNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.write();
  }

  /** The other relays that have a roster in the bucket. */
  async relayIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const key of await this.kv.keys()) if (key !== this.relayId) ids.push(key);
    return ids;
  }

  /** One relay's roster; undefined when it has none (or an unreadable one, which is logged). */
  async read(relayId: string): Promise<StoredSnapshot | undefined> {
    const entry = await this.kv.get(relayId);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const snapshot = decodeSnapshot(entry.value);
    if (snapshot instanceof Error) {
      this.logger.warn('ignoring an unreadable presence snapshot', { relay: relayId, error: snapshot.message });
      return undefined;
    }
    return { snapshot, revision: entry.revision };
  }

  /** Removes a dead relay's roster, unless it was written again since (the relay lives after all). */
  async removeDead(relayId: string): Promise<void> {
    const entry = await this.kv.get(relayId);
    if (!entry || entry.operation !== 'PUT') return;
    // Every surviving relay tries this: all but the first find the revision moved, which is fine.
    await this.kv.delete(relayId, { previousSeq: entry.revision }).catch(() => undefined);
  }

  /** Stops writing (the engine is away: the roster stays until the others find this relay dead). */
  stop(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Stops writing and removes this relay's own roster (it is stopping). */
  async close(): Promise<void> {
    this.stop();
    // A put finishing after the delete would bring the roster back for everyone starting later.
    await this.writing;
    await this.kv.delete(this.relayId).catch((err: Error) => this.logger.warn('cannot remove this relay presence snapshot', { error: err.message }));
  }

  private write(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const run = async () => {
      const ok = await this.put();
      this.writing = undefined;
      const again = this.again;
      this.again = false;
      if (!ok) this.changed(RETRY_MS);
      else if (again) this.changed();
    };
    this.writing = run();
    return this.writing;
  }

  /** False when the engine did not take it (it is away): tried again a little later, and at the reconnect. */
  private async put(): Promise<boolean> {
    try {
      await this.kv.put(this.relayId, encodeSnapshot(this.current()));
      return true;
    } catch (err) {
      this.logger.warn('cannot write this relay presence snapshot', { error: (err as Error).message });
      return false;
    }
  }
}
