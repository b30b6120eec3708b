/** What the pacing drives: the history's word indexer (historySearch.ts). */
export interface WordIndexer {
  /** Indexes waiting words for at most `budgetMs`. */
  catchUp(budgetMs: number): void;
  readonly behind: boolean;
  /** Whether records below `end` wait for their words. */
  behindOf(end: number): boolean;
}

/** Indexing words costs a few microseconds a message: at most this slice of the relay's time
 *  (3 ms every 50 ms, thousands of messages a second), so a flood of chat keeps its pace. */
const INDEX_SLICE_MS = 3;
const INDEX_EVERY_MS = 50;
/** A search waiting for the index takes this much of each turn of the event loop. */
const SEARCH_SLICE_MS = 8;
/** Messages held between two slices above which the relay is flooded (20,000 a second). */
const FLOOD_PER_SLICE = 1000;

/**
 * When the history's words get indexed: off the send path, in small slices on a timer that
 * stands aside during a flood; and, for a search that finds words waiting, in larger slices
 * between which the relay goes on serving everyone else.
 */
export class IndexPacing {
  private timer: NodeJS.Timeout | undefined;
  private heldSinceSlice = 0;

  constructor(private readonly indexer: WordIndexer) {}

  /** A message was held: its words are indexed soon. */
  held(): void {
    this.heldSinceSlice++;
    this.soon();
  }

  /** Something (an edit's new words) waits to be indexed: soon. */
  soon(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const held = this.heldSinceSlice;
      this.heldSinceSlice = 0;
      // A flood has the relay's every turn: the words wait for it to pass (or for a search).
      if (held > FLOOD_PER_SLICE) return;
      this.indexer.catchUp(INDEX_SLICE_MS);
      if (!this.indexer.behind) this.stop();
    }, INDEX_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Resolves once the words of every record below `end` are indexed. After a flood, one search
   * must not stop the relay for the seconds that hundreds of thousands of messages take.
   * Undefined when nothing waits (the search can run at once).
   */
  indexed(end: number): Promise<void> | undefined {
    if (!this.indexer.behindOf(end)) return undefined;
    return new Promise((resolve) => {
      const step = () => {
        this.indexer.catchUp(SEARCH_SLICE_MS);
        if (this.indexer.behindOf(end)) setImmediate(step);
        else resolve();
      };
      step();
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
