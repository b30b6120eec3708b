import type { PeerInfo } from '../net/protocol/messages';

/** What the roster needs of a connection: its entry, and the two parts of it that change. */
export interface RosterMember {
  info(): PeerInfo;
  readonly status: string;
  readonly rtt: number | undefined;
}

/** Entries per chunk: a join re-encodes one chunk at most, and a welcome is a few dozen pieces. */
export const ROSTER_CHUNK_ENTRIES = 32;

interface Chunk<S> {
  members: S[];
  /** The members' entries as JSON text, each after a comma; undefined once the members changed. */
  encoded: Buffer | undefined;
  /** What `status` and `rtt` were when `encoded` was made: an entry whose values moved since is
   *  re-encoded with its chunk. Compared rather than told, so no change can be missed. */
  statuses: string[];
  rtts: (number | undefined)[];
}

/**
 * Everyone online in full presence, kept as JSON text in chunks, for the welcomes.
 *
 * Each welcome in full presence lists everyone online: at a thousand people that is ~150 KB, and
 * a burst of joins used to build it from scratch for every newcomer (objects, a string, a buffer,
 * then garbage), N² bytes over a burst with most of them in flight at once. Here the roster is
 * encoded once, in chunks that later welcomes share: a join appends to the last chunk, a leave
 * or a status change re-encodes only its own chunk, and a welcome is written as these buffers
 * (nothing copied) between its own head and tail.
 *
 * Members stay in the order they joined, as the relay's own list of sessions is.
 */
export class EncodedRoster<S extends RosterMember> {
  private readonly chunks: Chunk<S>[] = [];
  private readonly chunkOf = new Map<S, Chunk<S>>();

  constructor(private readonly chunkEntries = ROSTER_CHUNK_ENTRIES) {}

  get size(): number {
    return this.chunkOf.size;
  }

  /** How many chunks the roster is in (bounded: two neighbours never fit in one). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  has(member: S): boolean {
    return this.chunkOf.has(member);
  }

  add(member: S): void {
    if (this.chunkOf.has(member)) return;
    let last = this.chunks[this.chunks.length - 1];
    if (!last || last.members.length >= this.chunkEntries) {
      last = { members: [], encoded: undefined, statuses: [], rtts: [] };
      this.chunks.push(last);
    }
    last.members.push(member);
    last.encoded = undefined;
    this.chunkOf.set(member, last);
  }

  remove(member: S): void {
    const chunk = this.chunkOf.get(member);
    if (!chunk) return;
    this.chunkOf.delete(member);
    chunk.members.splice(chunk.members.indexOf(member), 1);
    chunk.encoded = undefined;
    const at = this.chunks.indexOf(chunk);
    if (chunk.members.length === 0) {
      this.chunks.splice(at, 1);
      return;
    }
    // Keep chunks from thinning out under churn: a chunk that fits into its neighbour joins it.
    const next = this.chunks[at + 1];
    if (next && chunk.members.length + next.members.length <= this.chunkEntries) this.merge(at);
    else {
      const previous = this.chunks[at - 1];
      if (previous && previous.members.length + chunk.members.length <= this.chunkEntries) this.merge(at - 1);
    }
  }

  /** Everyone in `members`, in their order; whatever was held before is dropped. */
  reset(members: Iterable<S>): void {
    this.clear();
    for (const member of members) this.add(member);
  }

  clear(): void {
    this.chunks.length = 0;
    this.chunkOf.clear();
  }

  /**
   * The roster as JSON text: pieces that, put one after the other, are the entries separated by
   * commas (no brackets). Unchanged chunks are the same buffers as last time.
   */
  pieces(): Buffer[] {
    const out: Buffer[] = [];
    for (const chunk of this.chunks) out.push(this.encoded(chunk));
    // Every chunk's text starts with a comma; the list's first entry must not.
    if (out.length > 0) out[0] = out[0].subarray(1);
    return out;
  }

  private encoded(chunk: Chunk<S>): Buffer {
    if (chunk.encoded && this.stillCurrent(chunk)) return chunk.encoded;
    let text = '';
    chunk.statuses = [];
    chunk.rtts = [];
    for (const member of chunk.members) {
      text += ',' + JSON.stringify(member.info());
      chunk.statuses.push(member.status);
      chunk.rtts.push(member.rtt);
    }
    chunk.encoded = Buffer.from(text, 'utf8');
    return chunk.encoded;
  }

  private stillCurrent(chunk: Chunk<S>): boolean {
    const { members, statuses, rtts } = chunk;
    for (let i = 0; i < members.length; i++) {
      if (members[i].status !== statuses[i] || members[i].rtt !== rtts[i]) return false;
    }
    return true;
  }

  /** Moves the chunk after `at` into the chunk at `at`. */
  private merge(at: number): void {
    const into = this.chunks[at];
    const [from] = this.chunks.splice(at + 1, 1);
    for (const member of from.members) {
      into.members.push(member);
      this.chunkOf.set(member, into);
    }
    into.encoded = undefined;
  }
}
