import type { PostingLists } from './postingLists';
import type { TermDictionary } from './termDictionary';

/** When a sweep starts and how much a slice does (tests make both small). */
export interface SweepPace {
  /** Records retention dropped wait in the lists until they are this many, and more than are held. */
  after: number;
  /** The most work one slice does: blocks of the lists looked at, terms and edited records. */
  sliceWork: number;
}

/** A block or a term costs about a tenth of a microsecond (cache misses, mostly): a slice is about
 *  a tenth of a millisecond, and a sweep of a million messages' index about a thousand. */
export const SWEEP_PACE: SweepPace = { after: 65_536, sliceWork: 1024 };

/**
 * Takes what retention dropped out of the search index, a slice at a time, so that no message
 * pays for all of it: each slice goes on through the terms where the last one stopped, frees the
 * blocks of their lists that hold only dropped records (postingLists.ts), drops those records
 * from the edits' side lists, and releases the terms left without any (termDictionary.ts), until
 * every term was looked at. Nothing held moves, so the index answers exactly between slices, and
 * a term added meanwhile (a new number, or a released one given again) is simply looked at or not.
 */
export class IndexSweep {
  /** The next term to look at, or -1 when no sweep is under way. */
  private next = -1;
  /** Records below this are dropped (retention's latest word). */
  private dropBelow = 0;
  /** Where dropBelow was when the last sweep started: the lists may hold records from there. */
  private sweptFrom = 0;

  constructor(
    private readonly terms: TermDictionary,
    private readonly lists: PostingLists,
    private readonly edits: Map<number, number[]>,
    /** Told just before a term is released (while its text can still be read). */
    private readonly releasing: (term: number) => void,
    private readonly pace: SweepPace = SWEEP_PACE,
  ) {}

  /** Whether a sweep is under way. */
  get running(): boolean {
    return this.next >= 0;
  }

  /** Records below `first` are gone (`end`: the index holds records below it): starts a sweep
   *  once they are many, and takes a slice of the one under way. */
  dropped(first: number, end: number): void {
    this.dropBelow = Math.max(this.dropBelow, first);
    const dead = this.dropBelow - this.sweptFrom;
    if (this.next < 0 && dead > this.pace.after && dead > end - this.dropBelow) {
      this.next = 0;
      this.sweptFrom = this.dropBelow;
    }
    if (this.next >= 0) this.slice(this.pace.sliceWork);
  }

  /** Goes on with the sweep for about `budget` units of work; the work it did. */
  slice(budget: number): number {
    const low = this.dropBelow;
    let work = 0;
    while (this.next >= 0 && work < budget) {
      if (this.next >= this.terms.end) {
        this.next = -1;
        break;
      }
      const term = this.next++;
      work += 1 + this.sweepTerm(term, low);
    }
    return work;
  }

  /** Drops what is below `low` from one term; the work it took beyond looking at the term. */
  private sweepTerm(term: number, low: number): number {
    if (this.terms.isReleased(term)) return 0;
    let work = this.lists.dropBelow(term, low);
    const edited = this.edits.get(term);
    if (edited) {
      let keep = 0;
      while (keep < edited.length && edited[keep] < low) keep++;
      work += keep;
      if (keep === edited.length) this.edits.delete(term);
      else if (keep > 0) edited.splice(0, keep);
    }
    if (!this.lists.has(term) && !this.edits.has(term)) {
      this.releasing(term);
      this.terms.release(term);
    }
    return work;
  }
}
