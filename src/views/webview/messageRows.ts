import type { FileCard, MessageView } from '../chatProtocol';
import { GROUP_GAP_MS } from './time';

/**
 * The rows of the conversation on screen, as data: its messages and file cards in time order,
 * each with a stable key, and what decorates each row (a day separator, a sender header, the
 * "New messages" divider). Holds any number of rows cheaply: the list renders only a window.
 */

export interface Row {
  key: string;
  message?: MessageView;
  card?: FileCard;
  ts: number;
  /** A number per calendar day in the page's time zone. */
  day: number;
  /** Bumped on every change, so the row is rendered again. */
  version: number;
}

export interface Decorations {
  day: boolean;
  header: boolean;
  divider: boolean;
}

/** A message's row key is its id (no new string per row: a long history builds fast); a card's
 *  has a space, which no message id has. */
export const messageKey = (id: string): string => id;
export const cardKey = (id: string): string => `card ${id}`;

export class MessageRows {
  private rows: Row[] = [];
  /** Row index by key; built when first needed (the first screen of a long history needs none). */
  private byKey: Map<string, number> | undefined;
  /** The first unread message when the conversation was opened: "New messages" goes above it. */
  firstUnreadId: string | undefined;

  get count(): number {
    return this.rows.length;
  }

  at(index: number): Row | undefined {
    return this.rows[index];
  }

  indexOf(key: string): number | undefined {
    return this.index.get(key);
  }

  indexOfMessage(id: string): number | undefined {
    return this.index.get(messageKey(id));
  }

  /** The index by key, built on first use; a message the extension sent twice keeps its first row. */
  private get index(): Map<string, number> {
    if (this.byKey) return this.byKey;
    const index = new Map<string, number>();
    let duplicates = false;
    for (let i = 0; i < this.rows.length; i++) {
      const key = this.rows[i]!.key;
      if (index.has(key)) duplicates = true;
      else index.set(key, i);
    }
    if (duplicates) {
      this.rows = this.rows.filter((row, i) => index.get(row.key) === i);
      return this.index;
    }
    this.byKey = index;
    return index;
  }

  /** The row showing message `id`: its own, or the file card shown in place of an offer's record. */
  keyOfMessage(id: string): string | undefined {
    if (this.index.has(messageKey(id))) return messageKey(id);
    return this.rows.find((row) => row.card?.messageId === id)?.key;
  }

  message(id: string): MessageView | undefined {
    const i = this.indexOfMessage(id);
    return i === undefined ? undefined : this.rows[i]!.message;
  }

  /** The oldest and newest message held. */
  get firstMessage(): MessageView | undefined {
    return this.rows.find((r) => r.message)?.message;
  }

  get lastMessage(): MessageView | undefined {
    for (let i = this.rows.length - 1; i >= 0; i--) if (this.rows[i]!.message) return this.rows[i]!.message;
    return undefined;
  }

  /** The user's newest message that can still be edited. */
  lastEditable(): MessageView | undefined {
    for (let i = this.rows.length - 1; i >= 0; i--) {
      const m = this.rows[i]!.message;
      if (m?.own && !m.deleted && !m.code && !m.id.startsWith('local:') && m.state !== 'pending' && m.state !== 'failed') return m;
    }
    return undefined;
  }

  /** Everything anew: messages and cards merged by time, a message before a card of the same moment. */
  reset(messages: MessageView[], cards: FileCard[]): void {
    const sorted = [...cards].sort((a, b) => a.ts - b.ts);
    const rows: Row[] = [];
    let c = 0;
    for (const message of messages) {
      while (c < sorted.length && sorted[c]!.ts < message.ts) rows.push(cardRow(sorted[c++]!));
      rows.push(messageRow(message));
    }
    while (c < sorted.length) rows.push(cardRow(sorted[c++]!));
    this.rows = rows;
    this.byKey = undefined;
  }

  /** Older messages above everything held (those already held are skipped); how many were added. */
  prepend(messages: MessageView[]): number {
    const fresh = messages.filter((m) => !this.index.has(messageKey(m.id))).map(messageRow);
    if (fresh.length === 0) return 0;
    this.rows = [...fresh, ...this.rows];
    this.byKey = undefined;
    return fresh.length;
  }

  /** Newer messages below everything held; how many were added. */
  append(messages: MessageView[]): number {
    let added = 0;
    for (const message of messages) {
      if (this.index.has(messageKey(message.id))) continue;
      this.push(messageRow(message));
      added++;
    }
    return added;
  }

  /**
   * A new or changed message: found by its id, the id it had before (acknowledged), or its ref
   * (an own message still pending), and replaced in place; otherwise added at the end (`onlyHeld`:
   * not added). What happened: 'added', 'updated' or 'ignored'.
   */
  upsert(message: MessageView, previousId?: string, onlyHeld = false): 'added' | 'updated' | 'ignored' {
    let index = this.indexOfMessage(message.id) ?? (previousId !== undefined ? this.indexOfMessage(previousId) : undefined);
    if (index === undefined && message.own && message.ref !== undefined) index = this.findPendingRef(message.ref);
    if (index === undefined) {
      if (onlyHeld) return 'ignored';
      this.push(messageRow(message));
      return 'added';
    }
    const row = this.rows[index]!;
    const key = messageKey(message.id);
    if (row.key !== key) {
      this.index.delete(row.key);
      this.index.set(key, index);
    }
    this.rows[index] = { ...messageRow(message), version: row.version + 1 };
    return 'updated';
  }

  /** A new or changed card; new ones go in by time. */
  upsertCard(card: FileCard): 'added' | 'updated' {
    // The offer's record, when it came first (in a cluster it may), is shown as the card from now on.
    const record = card.messageId === undefined ? undefined : this.indexOfMessage(card.messageId);
    if (record !== undefined) {
      this.rows.splice(record, 1);
      this.byKey = undefined;
    }
    const index = this.index.get(cardKey(card.id));
    if (index !== undefined) {
      const row = this.rows[index]!;
      this.rows[index] = { ...cardRow(card), version: row.version + 1 };
      return 'updated';
    }
    let at = this.rows.length;
    while (at > 0 && this.rows[at - 1]!.ts > card.ts) at--;
    if (at === this.rows.length) this.push(cardRow(card));
    else {
      this.rows.splice(at, 0, cardRow(card));
      this.byKey = undefined;
    }
    return 'added';
  }

  /** Marks a row changed (so it renders again) without changing its data. */
  touch(key: string): void {
    const index = this.index.get(key);
    if (index !== undefined) this.rows[index] = { ...this.rows[index]!, version: this.rows[index]!.version + 1 };
  }

  decorations(index: number): Decorations {
    const row = this.rows[index]!;
    const prev = index > 0 ? this.rows[index - 1] : undefined;
    const day = !prev || prev.day !== row.day;
    const divider = row.message !== undefined && row.message.id === this.firstUnreadId && index > 0;
    const m = row.message;
    const p = prev?.message;
    const header = m !== undefined && (day || divider || !p || p.from !== m.from || p.own !== m.own || Math.abs(m.ts - p.ts) > GROUP_GAP_MS);
    return { day, header, divider };
  }

  private push(row: Row): void {
    this.byKey?.set(row.key, this.rows.length);
    this.rows.push(row);
  }

  private findPendingRef(ref: string): number | undefined {
    // Pending messages are at the end: look back a little way only.
    for (let i = this.rows.length - 1; i >= Math.max(0, this.rows.length - 500); i--) {
      const m = this.rows[i]!.message;
      if (m?.own && m.ref === ref) return i;
    }
    return undefined;
  }
}

function messageRow(message: MessageView): Row {
  return { key: messageKey(message.id), message, ts: message.ts, day: dayOf(message.ts), version: 0 };
}

function cardRow(card: FileCard): Row {
  return { key: cardKey(card.id), card, ts: card.ts, day: dayOf(card.ts), version: 0 };
}

/** Days by quarter hour (every time zone's offset is a whole number of those), so a long history
 *  costs few Date objects. */
const QUARTER_HOUR = 900_000;
const days = new Map<number, number>();

export function dayOf(ts: number): number {
  const slot = Math.floor(ts / QUARTER_HOUR);
  let day = days.get(slot);
  if (day === undefined) {
    const date = new Date(ts);
    day = date.getFullYear() * 10_000 + date.getMonth() * 100 + date.getDate();
    if (days.size > 200_000) days.clear();
    days.set(slot, day);
  }
  return day;
}
