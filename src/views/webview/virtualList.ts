import { keepingFocus } from './rowFocus';

/**
 * A virtualised vertical list: of any number of rows only those in view, plus a margin above
 * and below, are in the DOM. Each row is absolutely placed at the sum of the heights before it;
 * heights are estimated until a row is first rendered, then measured and remembered by the
 * row's key (and measured again when the row changes or the list's width does). Whatever the
 * reader looks at stays put while heights settle and rows are added above; a reader at the
 * bottom stays at the bottom.
 */

export interface RowSource {
  readonly count: number;
  key(index: number): string;
  indexOf(key: string): number | undefined;
  /** Changes whenever the row would render differently: it is then rendered and measured anew. */
  signature(index: number): string;
  render(index: number): HTMLElement;
  /** A guess at the row's height in pixels, until it is measured. */
  estimate(index: number, width: number): number;
}

/** Rendered beyond the viewport on each side, in pixels (a screenful, within bounds). */
const MIN_MARGIN_PX = 300;
const MAX_MARGIN_PX = 900;
/** Never more rows than this in the DOM, whatever the estimates say. */
const MAX_MOUNTED = 300;
/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 24;

interface Mounted {
  el: HTMLElement;
  index: number;
  signature: string;
}

/** Which row the reader looks at: its key, and where the viewport's top is from the row's
 *  bottom edge (negative: above it). The bottom, since a row's top may gain or lose a day
 *  separator or header as rows come in above it, while its message stays where it is. */
export interface Anchor {
  key: string;
  offset: number;
}

export class VirtualList {
  private heights = new Float64Array(0);
  /** The rows' keys as last laid out (the source may have changed since). */
  private keys: string[] = [];
  /** offsets[i] = top of row i; offsets[count] = the total height. */
  private offsets = new Float64Array(1);
  private readonly measured = new Map<string, number>();
  private readonly mounted = new Map<string, Mounted>();
  /** Rows kept in the DOM wherever they are (being edited, or holding the focus). */
  private readonly pinned = new Set<string>();
  private stick = true;
  /** scrollTop as the list last placed it or saw it scrolled: anything else is the reader's. */
  private placedTop = 0;
  private anchor: Anchor | undefined;
  private width = 0;
  /** Where the rows start in the scroller (the log's margin). */
  private base = 0;
  private frameQueued = false;
  private resizeQueued = false;
  private readonly resizer: ResizeObserver;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly content: HTMLElement,
    private readonly source: RowSource,
    /** After each render: the first and last row index in the DOM. */
    private readonly rendered: (first: number, last: number) => void = () => undefined,
  ) {
    scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.resizer = new ResizeObserver((entries) => this.onResize(entries));
    this.resizer.observe(scroller);
  }

  /** Whether the reader is at (or within a few pixels of) the end. */
  get atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  /** Where the reader is, to come back to later (undefined: at the bottom). */
  get position(): Anchor | undefined {
    return this.following ? undefined : this.anchor;
  }

  /** Whether the reader stays at the bottom. A scroll whose event has not come yet (events come
   *  with the next frame, and a task may run first) counts already. */
  private get following(): boolean {
    if (Math.abs(this.scroller.scrollTop - this.placedTop) > 1) {
      this.stick = this.atBottom;
      this.placedTop = this.scroller.scrollTop;
    }
    return this.stick;
  }

  get mountedCount(): number {
    return this.mounted.size;
  }

  /** The rendered element of a row, if it is in the DOM. */
  element(key: string): HTMLElement | undefined {
    return this.mounted.get(key)?.el;
  }

  /** Every row element in the DOM, in list order. */
  elements(): HTMLElement[] {
    return [...this.mounted.values()].sort((a, b) => a.index - b.index).map((m) => m.el);
  }

  pin(key: string, on: boolean): void {
    if (on) this.pinned.add(key);
    else this.pinned.delete(key);
  }

  /**
   * The rows changed (added, removed, reordered or rendered differently). Everything is laid out
   * again; what the reader looked at stays where it was on screen, or the bottom if they were there.
   */
  refresh(): void {
    // Where the reader is now, by the layout they see (the rows may have changed under it).
    if (!this.following) this.remember();
    const keep = this.stick ? undefined : this.anchor;
    this.relayout();
    this.settle(() => this.restore(keep));
  }

  /**
   * Rows in the DOM changed size in place (not through the source): their heights are read now
   * and everything placed again before the next paint, the reader's place kept.
   */
  remeasure(): void {
    if (!this.following) this.remember();
    const keep = this.stick ? undefined : this.anchor;
    for (const [key, mounted] of this.mounted) {
      const height = mounted.el.offsetHeight;
      if (height > 0) this.measured.set(key, height);
    }
    this.relayout();
    this.settle(() => this.restore(keep));
  }

  /** Heights and places for the rows as they are now; rows no longer there leave the DOM. */
  private relayout(): void {
    this.layout();
    for (const [key, mounted] of this.mounted) {
      const index = this.source.indexOf(key);
      if (index === undefined) this.unmount(key);
      else mounted.index = index;
    }
  }

  /** Starts over at the bottom (a newly shown conversation). */
  showBottom(): void {
    this.stick = true;
    this.relayout();
    this.settle(() => this.restore(undefined));
  }

  /** Starts over at `anchor` (a conversation shown again where the reader left it). */
  showAt(anchor: Anchor): void {
    this.stick = false;
    this.relayout();
    this.settle(() => this.restore(anchor));
  }

  /** Starts over (or goes) at row `key`, a third of the way down (a jump to a message). */
  showKey(key: string): boolean {
    this.relayout();
    return this.scrollToKey(key, 'center');
  }

  scrollToBottom(): void {
    this.stick = true;
    this.settle(() => this.restore(undefined));
  }

  /** Brings row `key` into view: `center` puts it a third of the way down, `nearest` scrolls as little as possible. */
  scrollToKey(key: string, align: 'center' | 'nearest'): boolean {
    const index = this.source.indexOf(key);
    if (index === undefined) return false;
    const place = () => {
      const top = this.base + this.offsets[index]!;
      const height = this.heights[index]!;
      const view = this.scroller.clientHeight;
      let target = this.scroller.scrollTop;
      if (align === 'center') target = top - view / 3;
      else if (top < target) target = top;
      else if (top + height > target + view) target = top + height - view;
      this.scroller.scrollTop = Math.max(0, target);
      this.stick = false;
      this.anchor = { key, offset: this.scroller.scrollTop - top - height };
    };
    this.settle(place);
    this.stick = this.atBottom;
    return true;
  }

  /**
   * Lays out, renders the rows in view, measures them, and repeats while measuring moved things
   * (estimates give way to real heights), each time putting the view back with `place`.
   */
  private settle(place: () => void): void {
    place();
    for (let round = 0; round < 6; round++) {
      const changed = this.renderWindow();
      if (!changed) break;
      place();
    }
    this.remember();
    this.reportRange();
    this.placedTop = this.scroller.scrollTop;
  }

  private restore(anchor: Anchor | undefined): void {
    if (anchor) {
      const index = this.source.indexOf(anchor.key);
      if (index !== undefined) {
        this.scroller.scrollTop = this.base + this.offsets[index + 1]! + anchor.offset;
        return;
      }
    }
    if (this.stick || !anchor) this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /** Heights of every row (measured or estimated) and their running totals. */
  private layout(): void {
    const count = this.source.count;
    this.width = this.content.clientWidth || this.width;
    this.base = this.content.offsetTop;
    this.heights = new Float64Array(count);
    this.keys = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const key = this.source.key(i);
      this.keys[i] = key;
      this.heights[i] = this.measured.get(key) ?? this.source.estimate(i, this.width);
    }
    this.offsets = new Float64Array(count + 1);
    this.sumFrom(0);
  }

  private sumFrom(start: number): void {
    const count = this.heights.length;
    for (let i = start; i < count; i++) this.offsets[i + 1] = this.offsets[i]! + this.heights[i]!;
    this.content.style.height = `${this.offsets[count]}px`;
  }

  /** The first row whose bottom is below `y`. */
  private indexAt(y: number): number {
    let lo = 0;
    let hi = this.heights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Mounts the rows in view (and pinned ones), unmounts the rest, measures what is new; true when a height changed. */
  private renderWindow(): boolean {
    const count = this.source.count;
    if (count === 0) {
      for (const key of [...this.mounted.keys()]) this.unmount(key);
      return false;
    }
    const view = this.scroller.clientHeight;
    const margin = Math.min(MAX_MARGIN_PX, Math.max(MIN_MARGIN_PX, view));
    const y = this.scroller.scrollTop - this.base;
    const first = this.indexAt(Math.max(0, y - margin));
    let last = this.indexAt(y + view + margin);
    last = Math.min(last, first + MAX_MOUNTED - 1, count - 1);

    for (const [key, mounted] of this.mounted) {
      const outside = mounted.index < first || mounted.index > last;
      if (outside && !this.holdsFocus(mounted.el) && !this.pinned.has(key)) this.unmount(key);
    }
    const fresh: Mounted[] = [];
    const mount = (index: number) => {
      const key = this.source.key(index);
      const signature = this.source.signature(index);
      const held = this.mounted.get(key);
      if (held && held.signature === signature) {
        held.index = index;
        return;
      }
      const el = this.source.render(index);
      el.classList.add('vrow');
      el.dataset.key = key;
      if (held) {
        keepingFocus(held.el, () => (held.el.replaceWith(el), el));
        this.resizer.unobserve(held.el);
      } else this.content.appendChild(el);
      const entry = { el, index, signature };
      this.mounted.set(key, entry);
      this.resizer.observe(el);
      fresh.push(entry);
    };
    for (let i = first; i <= last; i++) mount(i);
    for (const key of this.pinned) {
      const index = this.source.indexOf(key);
      if (index !== undefined) mount(index);
    }

    this.keepDomOrder();

    // Read every new height at once (one layout), then write.
    let changedFrom = Infinity;
    for (const { el, index } of fresh) {
      const height = el.offsetHeight;
      if (height === 0) continue; // not laid out (the pane is hidden): keep the estimate
      this.measured.set(this.source.key(index), height);
      if (height !== this.heights[index]) {
        this.heights[index] = height;
        changedFrom = Math.min(changedFrom, index);
      }
    }
    if (changedFrom !== Infinity) this.sumFrom(changedFrom);
    for (const { el, index } of this.mounted.values()) el.style.top = `${this.offsets[index]}px`;
    return changedFrom !== Infinity;
  }

  /** The DOM lists the rows in their order (screen readers and Tab follow the DOM, not the placement). */
  private keepDomOrder(): void {
    const sorted = [...this.mounted.values()].sort((a, b) => a.index - b.index);
    let previous: HTMLElement | undefined;
    for (const { el } of sorted) {
      const inPlace = previous ? el.previousElementSibling === previous : el === this.content.firstElementChild;
      if (!inPlace) {
        const before = previous;
        keepingFocus(el, () => (before ? before.after(el) : this.content.prepend(el), el));
      }
      previous = el;
    }
  }

  private unmount(key: string): void {
    const mounted = this.mounted.get(key);
    if (!mounted) return;
    this.resizer.unobserve(mounted.el);
    mounted.el.remove();
    this.mounted.delete(key);
  }

  private holdsFocus(el: HTMLElement): boolean {
    return el.contains(document.activeElement);
  }

  /** Notes where the reader is (the row at the top of the viewport), and whether at the bottom. */
  private remember(): void {
    if (this.heights.length === 0) {
      this.anchor = undefined;
      return;
    }
    const y = this.scroller.scrollTop - this.base;
    const index = this.indexAt(y);
    this.anchor = { key: this.keys[index]!, offset: y - this.offsets[index + 1]! };
  }

  private reportRange(): void {
    let first = Infinity;
    let last = -1;
    for (const { index } of this.mounted.values()) {
      first = Math.min(first, index);
      last = Math.max(last, index);
    }
    if (last >= 0) this.rendered(first, last);
  }

  private onScroll(): void {
    this.stick = this.atBottom;
    this.placedTop = this.scroller.scrollTop;
    if (this.frameQueued) return;
    this.frameQueued = true;
    requestAnimationFrame(() => {
      this.frameQueued = false;
      const stick = this.atBottom;
      this.remember();
      const anchor = this.anchor;
      this.settle(() => (stick ? this.restore(undefined) : this.restore(anchor)));
      this.stick = stick;
    });
  }

  /** A row changed size on its own (an editor grew, fonts loaded) or the list's width changed.
   *  Handled in the next frame: changing sizes inside the observer's callback would loop. */
  private onResize(entries: ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const target = entry.target as HTMLElement;
      if (target === this.scroller) {
        const width = this.content.clientWidth;
        if (width !== this.width && width > 0) {
          // Every height depends on the width: forget them all, keep the reader's place.
          this.measured.clear();
          for (const mounted of this.mounted.values()) mounted.signature = '';
          changed = true;
        } else if (this.following) changed = true;
        continue;
      }
      const key = target.dataset.key;
      const mounted = key === undefined ? undefined : this.mounted.get(key);
      if (!mounted || mounted.el !== target) continue;
      const height = target.offsetHeight;
      if (height !== this.heights[mounted.index] && height > 0) {
        this.measured.set(key!, height);
        changed = true;
      }
    }
    if (!changed || this.resizeQueued) return;
    this.resizeQueued = true;
    requestAnimationFrame(() => {
      this.resizeQueued = false;
      this.refresh();
    });
  }
}
