import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Logger } from '../net/logger';
import { KnownPeer } from '../net/protocol/messages';
import { writeFileAtomic } from '../net/atomicFile';
import { parseJsonLines } from './jsonLines';
import { RecencyList } from './recencyList';

/**
 * Every identity the relay has seen: what it was called, when it was last here, and how far
 * the relay got delivering to it. That lets people message a teammate who is offline (the
 * message waits in history) and lets the UI show offline peers greyed.
 *
 * On disk: a snapshot (peers.json), rewritten at most once a second, and a journal of members
 * added since (peers.journal, one line each). A new member costs one appended line, written
 * before any frame about them leaves, instead of a rewrite of the whole directory per join.
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
const JournalLine = z.object({ epoch: z.string(), peer: Record });

const FILE = 'peers.json';
const JOURNAL = 'peers.journal';

export class PeerDirectory {
  private readonly peers = new Map<string, PeerRecord>();
  /** The identities not connected now, most recently seen first (every other record is online). */
  private readonly offlineOrder = new RecencyList<string>();
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;
  /** Journal lines for members added since the last flush. */
  private pendingNew: string[] = [];
  private journalFd: number | undefined;
  /** In a cluster: whether the identity is still connected to another relay, so its last
   *  connection here closing does not make it offline. */
  onlineElsewhere: (clientId: string) => boolean = () => false;

  constructor(
    private readonly epoch: string,
    private readonly dir: string | undefined,
    private readonly logger: Logger,
    private readonly maxPeers = 10_000,
  ) {
    if (!dir) return;
    this.load(path.join(dir, FILE));
    this.loadJournal(path.join(dir, JOURNAL));
    // Loaded identities are all offline; oldest touched first, so the newest ends up first.
    for (const p of [...this.peers.values()].sort((a, b) => a.lastSeen - b.lastSeen)) this.offlineOrder.touch(p.clientId);
  }

  get size(): number {
    return this.peers.size;
  }

  has(clientId: string): boolean {
    return this.peers.has(clientId);
  }

  get(clientId: string): Readonly<PeerRecord> | undefined {
    return this.peers.get(clientId);
  }

  /** Records a connecting identity (online from now on); a new one starts with nothing owed
   *  from before it joined. */
  seen(clientId: string, name: string, machine: string, now: number, currentSeq: number): void {
    this.offlineOrder.delete(clientId);
    const existing = this.peers.get(clientId);
    if (existing) {
      existing.name = name;
      existing.machine = machine;
      existing.lastSeen = now;
    } else {
      const record = { clientId, name, machine, lastSeen: now, deliveredSeq: currentSeq };
      this.peers.set(clientId, record);
      this.evictOldest();
      // A new member must be on disk before anything acknowledged about them leaves (after a
      // crash, messages to them must still be accepted): journaled by flush(), which the relay
      // runs before every write to its sockets.
      if (this.dir) this.pendingNew.push(JSON.stringify({ epoch: this.epoch, peer: record }) + '\n');
    }
    this.markDirty();
  }

  /** The identity's last connection closed (here; in a cluster, on every relay). */
  left(clientId: string, now: number): void {
    const record = this.peers.get(clientId);
    if (!record) return;
    record.lastSeen = now;
    if (!this.onlineElsewhere(clientId)) this.offlineOrder.touch(clientId);
    this.markDirty();
  }

  /** Whether a known identity is offline (the relay tells the directory who comes and goes). */
  isOffline(clientId: string): boolean {
    return this.offlineOrder.has(clientId);
  }

  /** The identity as an offline peer, when it is known and offline. */
  offlinePeer(clientId: string): KnownPeer | undefined {
    const p = this.peers.get(clientId);
    return p && this.offlineOrder.has(clientId) ? toKnown(p) : undefined;
  }

  /** At most `limit` offline identities, most recently seen first; costs O(limit), not O(size). */
  recentOffline(limit: number): KnownPeer[] {
    const out: KnownPeer[] = [];
    if (limit <= 0) return out;
    for (const clientId of this.offlineOrder.newest()) {
      out.push(toKnown(this.peers.get(clientId)!));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Those of `ids` that are known and offline now. */
  offlineAmong(ids: Iterable<string>): KnownPeer[] {
    const out: KnownPeer[] = [];
    for (const id of new Set(ids)) {
      const known = this.offlinePeer(id);
      if (known) out.push(known);
    }
    return out;
  }

  /** The `limit` most recently seen offline identities, plus those of `ids` offline. */
  recentOfflineAnd(limit: number, ids: ReadonlySet<string>): KnownPeer[] {
    const known = this.recentOffline(limit);
    if (ids.size === 0) return known;
    const listed = new Set(known.map((k) => k.clientId));
    for (const k of this.offlineAmong(ids)) if (!listed.has(k.clientId)) known.push(k);
    return known;
  }

  /** Offline identities, most recently seen first (for searches; stop early when done). */
  *offlineNewestFirst(): IterableIterator<KnownPeer> {
    for (const clientId of this.offlineOrder.newest()) yield toKnown(this.peers.get(clientId)!);
  }

  /** Writes the journal of members added since the last call. Run before frames are written. */
  flush(): void {
    if (this.pendingNew.length === 0 || !this.dir) return;
    const data = this.pendingNew.join('');
    this.pendingNew = [];
    let size: number | undefined;
    try {
      this.journalFd ??= fs.openSync(path.join(this.dir, JOURNAL), 'a', 0o600);
      size = fs.fstatSync(this.journalFd).size;
      const bytes = Buffer.from(data, 'utf8');
      for (let written = 0; written < bytes.length;) written += fs.writeSync(this.journalFd, bytes, written, bytes.length - written);
    } catch (err) {
      // A full disk: cut a partial line back off (the next line would glue onto it) and try
      // these members again with the next flush; they are in memory and in the next snapshot.
      try {
        if (this.journalFd !== undefined && size !== undefined) fs.ftruncateSync(this.journalFd, size);
      } catch {
        // Loading skips a torn line; only the member on it would wait for the next snapshot.
      }
      this.pendingNew.unshift(data);
      this.logger.error('cannot write the peer directory journal', { error: (err as Error).message });
    }
  }

  /** Called when a message is written to one of the identity's connections. */
  delivered(clientId: string, seq: number): void {
    const record = this.peers.get(clientId);
    if (record && seq > record.deliveredSeq) {
      record.deliveredSeq = seq;
      this.markDirty();
    }
  }

  all(): IterableIterator<Readonly<PeerRecord>> {
    return this.peers.values();
  }

  close(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.flush();
    this.save();
    if (this.journalFd !== undefined) fs.closeSync(this.journalFd);
    this.journalFd = undefined;
  }

  /** Over the cap, the identity offline the longest goes. Online ones are never evicted: the
   *  connection caps already bound them. */
  private evictOldest(): void {
    if (this.peers.size <= this.maxPeers) return;
    const oldest = this.offlineOrder.oldest();
    if (oldest === undefined) return;
    this.offlineOrder.delete(oldest);
    this.peers.delete(oldest);
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
      return;
    }
    // The snapshot holds every member now: the journal starts over. A crash between the rename
    // and this leaves lines the snapshot already has, which loading skips.
    this.pendingNew = [];
    try {
      this.journalFd ??= fs.openSync(path.join(this.dir, JOURNAL), 'a', 0o600);
      fs.ftruncateSync(this.journalFd, 0);
    } catch (err) {
      this.logger.warn('cannot truncate the peer directory journal', { error: (err as Error).message });
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

  /** Members added after the last snapshot. A torn last line (a crash mid-write) is skipped. */
  private loadJournal(file: string): void {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn('cannot read the peer directory journal', { file, error: (err as Error).message });
      return;
    }
    let added = 0;
    for (const line of parseJsonLines(text, JournalLine).values) {
      if (line.epoch !== this.epoch || this.peers.has(line.peer.clientId)) continue;
      this.peers.set(line.peer.clientId, line.peer);
      added++;
    }
    // Folded into the snapshot at the next save, which also empties the journal.
    if (added > 0) this.markDirty();
  }
}

function toKnown(p: PeerRecord): KnownPeer {
  return { clientId: p.clientId, name: p.name, machine: p.machine, lastSeen: p.lastSeen };
}
