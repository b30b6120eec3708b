import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Logger } from '../net/logger';
import { KnownPeer } from '../net/messages';
import { writeFileAtomic } from './history';

/**
 * Every identity the relay has seen: what it was called, when it was last here, and how far
 * the relay got delivering to it. That lets people message a teammate who is offline (the
 * message waits in history) and lets the UI show offline peers greyed.
 */
const Record = z.object({
  clientId: z.string(),
  name: z.string(),
  machine: z.string(),
  lastSeen: z.number(),
  deliveredSeq: z.number(),
});
type PeerRecord = z.infer<typeof Record>;
const FileFormat = z.object({ epoch: z.string(), peers: z.array(Record) });

const FILE = 'peers.json';

export class PeerDirectory {
  private readonly peers = new Map<string, PeerRecord>();
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly epoch: string,
    private readonly dir: string | undefined,
    private readonly logger: Logger,
    private readonly maxPeers = 10_000,
  ) {
    if (dir) this.load(path.join(dir, FILE));
  }

  has(clientId: string): boolean {
    return this.peers.has(clientId);
  }

  get(clientId: string): Readonly<PeerRecord> | undefined {
    return this.peers.get(clientId);
  }

  /** Records a connecting identity; a new one starts with nothing owed from before it joined. */
  seen(clientId: string, name: string, machine: string, now: number, currentSeq: number): void {
    const existing = this.peers.get(clientId);
    if (existing) {
      existing.name = name;
      existing.machine = machine;
      existing.lastSeen = now;
    } else {
      this.peers.set(clientId, { clientId, name, machine, lastSeen: now, deliveredSeq: currentSeq });
      this.evictOldest();
      // A new member is saved at once: after a crash, messages to them must still be accepted.
      this.dirty = true;
      this.save();
      return;
    }
    this.markDirty();
  }

  left(clientId: string, now: number): void {
    const record = this.peers.get(clientId);
    if (!record) return;
    record.lastSeen = now;
    this.markDirty();
  }

  /** Called when a message is written to one of the identity's connections. */
  delivered(clientId: string, seq: number): void {
    const record = this.peers.get(clientId);
    if (record && seq > record.deliveredSeq) {
      record.deliveredSeq = seq;
      this.markDirty();
    }
  }

  /** Known identities other than the given online ones, most recently seen first. */
  offline(online: (clientId: string) => boolean): KnownPeer[] {
    const out: KnownPeer[] = [];
    for (const p of this.peers.values()) {
      if (!online(p.clientId)) out.push({ clientId: p.clientId, name: p.name, machine: p.machine, lastSeen: p.lastSeen });
    }
    return out.sort((a, b) => b.lastSeen - a.lastSeen);
  }

  all(): IterableIterator<Readonly<PeerRecord>> {
    return this.peers.values();
  }

  close(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.save();
  }

  private evictOldest(): void {
    if (this.peers.size <= this.maxPeers) return;
    let oldest: PeerRecord | undefined;
    for (const p of this.peers.values()) if (!oldest || p.lastSeen < oldest.lastSeen) oldest = p;
    if (oldest) this.peers.delete(oldest.clientId);
  }

  private markDirty(): void {
    this.dirty = true;
    if (!this.dir || this.saveTimer) return;
    // Coalesce: the directory changes on every delivery, the file at most once a second.
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, 1000);
    this.saveTimer.unref();
  }

  private save(): void {
    if (!this.dir || !this.dirty) return;
    this.dirty = false;
    try {
      writeFileAtomic(path.join(this.dir, FILE), JSON.stringify({ epoch: this.epoch, peers: [...this.peers.values()] }));
    } catch (err) {
      this.logger.error('cannot save the peer directory', { error: (err as Error).message });
    }
  }

  private load(file: string): void {
    try {
      const parsed = FileFormat.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      if (!parsed.success || parsed.data.epoch !== this.epoch) {
        this.logger.warn('peer directory does not match this history; starting empty', { file });
        return;
      }
      for (const p of parsed.data.peers) this.peers.set(p.clientId, p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn('cannot read the peer directory; starting empty', { file, error: (err as Error).message });
      }
    }
  }
}
