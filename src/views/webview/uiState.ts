import { loadState, saveState } from './vscodeApi';
import type { Anchor } from './virtualList';

/**
 * What the panel remembers across being hidden and shown again (VS Code drops a hidden
 * webview's page unless told otherwise): the selected conversation, each conversation's
 * unsent draft, and where each conversation was scrolled to. Kept in `vscode.setState`.
 */

/** A scroll position: pinned to the newest message, or a row (by key) and how far into it the
 *  view's top is (pixels would not survive: row heights are estimated until rendered). */
export type ScrollSpot = 'bottom' | Anchor;

interface Persisted {
  v: 1;
  selectedId?: string;
  drafts: [string, string][];
  scroll: [string, ScrollSpot][];
}

/** Bounded, so a long session does not grow the saved state without end. */
const MAX_ENTRIES = 50;

export class UiState {
  private selected: string | undefined;
  private readonly drafts = new Map<string, string>();
  private readonly scrolls = new Map<string, ScrollSpot>();

  constructor() {
    const saved = parse(loadState());
    this.selected = saved.selectedId;
    for (const [id, text] of saved.drafts) this.drafts.set(id, text);
    for (const [id, spot] of saved.scroll) this.scrolls.set(id, spot);
  }

  get selectedId(): string | undefined {
    return this.selected;
  }

  setSelected(id: string | undefined): void {
    if (this.selected === id) return;
    this.selected = id;
    this.save();
  }

  draft(id: string): string {
    return this.drafts.get(id) ?? '';
  }

  setDraft(id: string, text: string): void {
    if (this.draft(id) === text) return;
    remember(this.drafts, id, text, text === '');
    this.save();
  }

  scroll(id: string): ScrollSpot | undefined {
    return this.scrolls.get(id);
  }

  setScroll(id: string, spot: ScrollSpot): void {
    const old = this.scrolls.get(id);
    if (old === spot || (typeof old === 'object' && typeof spot === 'object' && old.key === spot.key && old.offset === spot.offset)) return;
    remember(this.scrolls, id, spot, false);
    this.save();
  }

  private save(): void {
    const state: Persisted = {
      v: 1,
      ...(this.selected !== undefined ? { selectedId: this.selected } : {}),
      drafts: [...this.drafts],
      scroll: [...this.scrolls],
    };
    saveState(state);
  }
}

/** Set (most recent last) or delete, dropping the oldest entries past the bound. */
function remember<T>(map: Map<string, T>, key: string, value: T, remove: boolean): void {
  map.delete(key);
  if (remove) return;
  map.set(key, value);
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
}

/** Whatever getState returns (older versions, nothing at all) becomes a valid state. */
function parse(raw: unknown): Persisted {
  const empty: Persisted = { v: 1, drafts: [], scroll: [] };
  if (!isRecord(raw) || raw.v !== 1) return empty;
  const selectedId = typeof raw.selectedId === 'string' ? raw.selectedId : undefined;
  const drafts = pairs(raw.drafts).filter((p): p is [string, string] => typeof p[1] === 'string');
  const scroll = pairs(raw.scroll).filter((p): p is [string, ScrollSpot] => p[1] === 'bottom' || isAnchor(p[1]));
  return { v: 1, ...(selectedId !== undefined ? { selectedId } : {}), drafts, scroll };
}

function pairs(value: unknown): [string, unknown][] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is [string, unknown] => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string');
}

function isAnchor(value: unknown): value is Anchor {
  return isRecord(value) && typeof value.key === 'string' && value.key.length <= 300 && typeof value.offset === 'number' && Number.isFinite(value.offset);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
