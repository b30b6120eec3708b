import type { MessageView } from '../../src/views/chatProtocol';
import { peopleNames, vocabulary } from './corpusWords';
import { Prng, ZipfSampler } from './prng';

/**
 * W8's conversation: 100,000 messages as the extension hands them to the chat webview, over a
 * hundred days of a busy channel (so day separators and sender groups come and go), mostly a
 * line or two, some paragraphs that wrap, code excerpts, reactions, thread summaries, edits and
 * tombstones; and the paging the extension does for it (the newest page first, then an older
 * page before the oldest message the webview holds, each time it asks).
 */

export const SELF_ID = 'bench-self-00000000';

export function conversationMessages(count: number, seed: number, endTs = Date.UTC(2026, 5, 1)): MessageView[] {
  const prng = new Prng(seed);
  const words = vocabulary(5000, seed);
  const zipf = new ZipfSampler(words.length, 1.07);
  const names = peopleNames(8);
  const people = names.map((name, i) => ({ id: i === 0 ? SELF_ID : `bench-peer-${String(i).padStart(8, '0')}`, name }));
  const spanMs = 100 * 86_400_000;
  const out: MessageView[] = [];
  let from = people[1];
  for (let i = 0; i < count; i++) {
    const seq = 1000 + i;
    // People answer each other in runs: the same sender again a third of the time.
    if (!prng.chance(0.35)) from = prng.pick(people);
    const n = prng.chance(0.1) ? prng.int(30, 90) : prng.int(2, 16);
    let text = Array.from({ length: n }, () => words[zipf.sample(prng)]).join(' ');
    const m: MessageView = {
      id: `bench-${seq}`,
      from: from.id,
      fromName: from.name,
      text,
      ts: Math.round(endTs - spanMs + (i / count) * spanMs),
      own: from.id === SELF_ID,
      state: 'delivered',
      seq,
    };
    const roll = prng.next();
    if (roll < 0.04) {
      const lines = Array.from(
        { length: prng.int(2, 12) },
        () => `  const ${words[zipf.sample(prng)]} = await ${words[prng.int(0, 999)]}(${prng.int(0, 99)});`,
      );
      text = lines.join('\n');
      m.text = text;
      m.code = { path: `src/${words[prng.int(0, 999)]}.ts`, startLine: 10, endLine: 10 + lines.length - 1, language: 'typescript' };
    } else if (roll < 0.05) {
      m.deleted = true;
      m.text = '';
    } else if (roll < 0.07) {
      m.edited = m.ts + 60_000;
    }
    if (!m.deleted && prng.chance(0.05)) {
      m.reactions = [{ emoji: prng.pick(['👍', '🎉', '👀', '❤️', ':shipit:']), count: prng.int(1, 6), names: names.slice(1, 4), mine: prng.chance(0.3) }];
    }
    if (!m.deleted && prng.chance(0.03)) m.replies = { count: prng.int(1, 40), lastTs: m.ts + 3_600_000, names: names.slice(2, 5) };
    out.push(m);
  }
  return out;
}

/** The extension's side of scrollback over `messages`: pages of `pageSize`, newest first. */
export class ConversationPages {
  private readonly index = new Map<string, number>();

  constructor(
    readonly messages: readonly MessageView[],
    readonly pageSize: number,
  ) {
    messages.forEach((m, i) => this.index.set(m.id, i));
  }

  newest(): { messages: MessageView[]; hasOlder: boolean } {
    const start = Math.max(0, this.messages.length - this.pageSize);
    return { messages: this.messages.slice(start), hasOlder: start > 0 };
  }

  /** The page before `beforeId` (the newest page when the webview holds nothing); undefined for an id never sent. */
  olderThan(beforeId: string | undefined): { messages: MessageView[]; hasOlder: boolean } | undefined {
    const end = beforeId === undefined ? this.messages.length : this.index.get(beforeId);
    if (end === undefined) return undefined;
    const start = Math.max(0, end - this.pageSize);
    return { messages: this.messages.slice(start, end), hasOlder: start > 0 };
  }
}
