import type { Logger } from '../net/logger';

/**
 * The one way the extension reads and writes what it keeps between sessions. Each part
 * (conversations, found peers, resume points, pinned certificates) states how large it may be
 * and how to read it back: a part that is unreadable or too large is cleared and said once in
 * the log, and the others are restored as usual. Nothing here throws.
 */

/** Persisted state (VS Code's Memento has this shape). */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** One part of what is saved. */
export interface SavedPart<T> {
  /** Names the part in the log: 'saved conversations'. */
  what: string;
  /** What the user gets when it is unreadable: 'starting with none'. */
  instead: string;
  /** Longest JSON form read back or written. */
  maxChars: number;
  /** The value read back; throws (a zod error, say) when the saved value is not one. */
  parse(value: unknown): T;
}

/** The length of `value`'s JSON, or undefined when it has none (a cycle, a getter that throws). */
export function jsonLength(value: unknown): number | undefined {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return undefined;
  }
}

export type Judged<T> = { ok: true; value: T } | { ok: false; why: string };

/** `value` read as `part`, or why it cannot be. */
export function judgeSaved<T>(value: unknown, part: SavedPart<T>): Judged<T> {
  const size = jsonLength(value);
  if (size === undefined) return { ok: false, why: 'not JSON' };
  if (size > part.maxChars) return { ok: false, why: `${size} characters, more than ${part.maxChars}` };
  try {
    return { ok: true, value: part.parse(value) };
  } catch (err) {
    return { ok: false, why: reasonOf(err) };
  }
}

/** A short reason for the log: a zod error's first issue, else the error's message. */
export function reasonOf(err: unknown): string {
  let text: string;
  try {
    const issue = (err as { issues?: { path?: PropertyKey[]; message?: string }[] } | undefined)?.issues?.[0];
    text = issue ? `${issue.path?.length ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}` : err instanceof Error ? err.message : String(err);
  } catch {
    text = 'unreadable';
  }
  return text.slice(0, 200);
}

/** A key-value store read and written part by part, within each part's bounds. */
export class SavedState {
  /** Parts already spoken of in the log this session: once each is enough. */
  private readonly told = new Set<string>();

  constructor(
    private readonly state: KeyValueStore,
    private readonly logger: Logger,
  ) {}

  /**
   * The part saved under `key`; undefined when there is none, or when it is unreadable or too
   * large: then the key is cleared, so the next start is clean, and the log says so once.
   */
  read<T>(key: string, part: SavedPart<T>): T | undefined {
    let judged: Judged<T>;
    try {
      const value = this.state.get<unknown>(key);
      if (value === undefined) return undefined;
      judged = judgeSaved(value, part);
    } catch (err) {
      judged = { ok: false, why: reasonOf(err) };
    }
    if (judged.ok) return judged.value;
    this.tell(`read ${part.what}`, `${part.what} could not be restored (${judged.why}); ${part.instead}`, key);
    void this.update(key, undefined, part);
    return undefined;
  }

  /**
   * Saves `value` under `key` (undefined clears it). A value over the part's bound is not
   * written, so what is saved stays readable; the log says so once. Never rejects.
   */
  write(key: string, value: unknown, part: SavedPart<unknown>): Promise<void> {
    if (value !== undefined) {
      const size = jsonLength(value);
      if (size === undefined || size > part.maxChars) {
        const why = size === undefined ? 'not JSON' : `${size} characters, more than ${part.maxChars}`;
        this.tell(`write ${part.what}`, `${part.what} could not be updated (${why}); keeping what was saved before`, key);
        return Promise.resolve();
      }
    }
    return this.update(key, value, part);
  }

  private async update(key: string, value: unknown, part: SavedPart<unknown>): Promise<void> {
    try {
      await this.state.update(key, value);
    } catch (err) {
      this.tell(`save ${part.what}`, `${part.what} could not be saved (${reasonOf(err)})`, key);
    }
  }

  private tell(topic: string, message: string, key: string): void {
    if (this.told.has(topic)) return;
    this.told.add(topic);
    this.logger.warn(message, { key });
  }
}
