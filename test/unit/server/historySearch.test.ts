import { strict as assert } from 'node:assert';
import { conversationKeyOf } from '../../../src/net/protocol/conversationKeys';
import { silentLogger } from '../../../src/net/logger';
import type { ChatMessage } from '../../../src/net/protocol/messages';
import type { Mention } from '../../../src/net/protocol/richMessages';
import { HistoryEntry, MessageHistory, SearchHits } from '../../../src/server/history';
import type { ParsedSearch } from '../../../src/server/searchQuery';
import { wordsOf } from '../../../src/server/searchText';
import type { MessageState } from '../../../src/server/teamStore';
import { Prng } from '../helpers/prng';
import { randomAttachment } from '../helpers/richParts';
import { useCleanup } from '../helpers/loopback';
import { until } from '../helpers/security';

/**
 * The indexed search finds exactly what reading every message would: the same hits, newest
 * first, the same `more`, over seeded corpora with edits, deletes, retention, prefixes shared by
 * many words, phrases, filters and permissions (a conversation the searcher may not read never
 * shows up).
 */

const PEOPLE = ['A', 'B', 'C', 'D'].map((c) => c.repeat(22));
const TARGETS: HistoryEntry['to'][] = ['all', '#ops', '#dev', '#secret', [PEOPLE[1]], [PEOPLE[2], PEOPLE[3]]];
/** Stems with many words each (a prefix of one letter or two then starts dozens). */
const STEMS = ['a', 'ab', 'de', 'dep', 'x', 'zeta', 'café', 'ｄｅ', '日本', 'Ω'];
const BASE_TS = Date.UTC(2025, 0, 1);
const HOUR = 3600 * 1000;

function vocabulary(rng: Prng): string[] {
  const words = new Set<string>();
  while (words.size < 120) words.add(rng.pick(STEMS) + (rng.chance(0.2) ? '' : rng.int(0, 60).toString(36)));
  words.add('x'.repeat(70) + 'tail'); // longer than an index term
  return [...words];
}

/** The plainest search: every message held, latest version, checked against the query. */
function reference(h: MessageHistory, all: HistoryEntry[], q: ParsedSearch, canRead: (conv: string) => boolean, limit: number, before?: number): SearchHits {
  const hits: SearchHits['hits'] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const entry = all[i];
    const conv = conversationKeyOf(entry.to, entry.from);
    const message = h.latest(entry.seq)!;
    if (before !== undefined && entry.seq >= before) continue;
    if (!matches(message, conv, q, canRead)) continue;
    if (hits.length === limit) return { hits, more: true };
    hits.push({ conv, message });
  }
  return { hits, more: false };
}

function matches(m: ChatMessage, conv: string, q: ParsedSearch, canRead: (conv: string) => boolean): boolean {
  if (m.deleted || !canRead(conv)) return false;
  if (q.in && !q.in.includes(conv)) return false;
  if (q.from && !q.from.includes(m.from)) return false;
  if (q.hasFile && !m.files?.length && !m.attachments?.some((a) => a.kind === 'file')) return false;
  if (q.hasImage && !m.attachments?.some((a) => a.kind === 'image')) return false;
  const mentioned = m.mentions ?? [];
  const everyone = m.from !== q.mentioning && (mentioned.includes('channel') || mentioned.includes('here'));
  if (q.mentioning !== undefined && !mentioned.includes(q.mentioning) && !everyone) return false;
  if (q.hasCode && !m.code && !m.text.includes('```')) return false;
  if ((q.since !== undefined && m.ts < q.since) || (q.until !== undefined && m.ts >= q.until)) return false;
  const words = wordsOf([m.text, ...(m.files ?? []).map((f) => f.name), ...(m.attachments ?? []).map((a) => a.name)].join('\n'));
  if (!q.words.every((w) => words.some((word) => word.startsWith(w)))) return false;
  return q.phrases.every((p) => words.some((_, i) => p.every((w, j) => words[i + j] === w)));
}

describe('MessageHistory.search', function () {
  const cleanup = useCleanup();

  function randomQuery(rng: Prng, vocab: string[], sample: ChatMessage | undefined, maxSeq: number): ParsedSearch {
    const q: ParsedSearch = { words: [], phrases: [] };
    for (let i = rng.int(0, 2); i > 0; i--) {
      const [word] = wordsOf(rng.pick(vocab));
      q.words.push(rng.chance(0.4) ? word.slice(0, rng.int(1, word.length)) : word);
    }
    const sampleWords = sample ? wordsOf(sample.text) : [];
    if (sampleWords.length > 0 && rng.chance(0.3)) {
      const start = rng.int(0, sampleWords.length - 1);
      q.phrases.push(sampleWords.slice(start, start + rng.int(1, 3)));
    }
    if (rng.chance(0.15)) q.from = [rng.pick(PEOPLE)];
    if (rng.chance(0.15)) q.in = [rng.pick(['#ops', '#secret', '#general', conversationKeyOf([PEOPLE[1]], PEOPLE[0]), '#none'])];
    if (rng.chance(0.1)) q.hasFile = true;
    if (rng.chance(0.15)) q.hasCode = true;
    if (rng.chance(0.1)) q.hasImage = true;
    if (rng.chance(0.1)) q.mentioning = rng.pick(PEOPLE);
    if (rng.chance(0.15)) q.since = BASE_TS + rng.int(0, maxSeq) * HOUR;
    if (rng.chance(0.15)) q.until = BASE_TS + rng.int(0, maxSeq) * HOUR;
    if (q.words.length + q.phrases.length === 0 && !q.from && !q.in && !q.hasFile && !q.hasCode && q.since === undefined) q.words.push('a');
    return q;
  }

  for (const seed of [11, 12, 13, 14, 15]) {
    it(`finds exactly what reading every message finds (seed ${seed}: edits, deletes, retention, permissions)`, function () {
      const rng = new Prng(seed);
      const vocab = vocabulary(rng);
      const states = new Map<number, MessageState>();
      const h = new MessageHistory({ logger: silentLogger, maxEntries: seed % 2 === 0 ? 400 : 100_000, state: (s) => states.get(s) });
      cleanup.add('history', () => h.close());
      const sent: HistoryEntry[] = [];
      for (let i = 0; i < 1500; i++) {
        if (sent.length > 0 && rng.chance(0.1)) {
          const target = rng.pick(sent);
          const roll = rng.next();
          const state: MessageState =
            roll < 0.3 ? { deleted: true } : roll < 0.8 ? { text: sentence(rng, vocab), edited: i } : { reactions: [{ emoji: '👍', by: [PEOPLE[0]] }] };
          states.set(target.seq, { ...states.get(target.seq), ...state });
          h.appendUpdate(target.seq, BASE_TS + h.seq * HOUR);
          continue;
        }
        const seq = h.nextSeq();
        const to = rng.pick(TARGETS);
        const entry: HistoryEntry = {
          id: `${h.epoch}-${seq}`,
          seq,
          ts: BASE_TS + seq * HOUR,
          from: Array.isArray(to) && to.length === 2 ? PEOPLE[2] : rng.pick(PEOPLE),
          fromName: 'x',
          to,
          text: sentence(rng, vocab),
          ref: `r${seq}`,
          ...(rng.chance(0.1) ? { code: { path: 'a.ts', startLine: 1, endLine: 2, language: 'ts' } } : {}),
          ...(rng.chance(0.1) ? { files: [{ name: `${rng.pick(vocab)}.log`, size: 10 }] } : {}),
          ...(rng.chance(0.15) ? { mentions: [rng.pick<Mention>([...PEOPLE, 'channel', 'here'])] } : {}),
          ...(rng.chance(0.1) ? { attachments: [randomAttachment(rng, 0, () => rng.pick(vocab))] } : {}),
        };
        h.append(entry);
        sent.push(entry);
      }
      const held = sent.filter((e) => e.seq >= h.oldestSeq);
      const readers = [() => true, (conv: string) => conv !== '#secret', (conv: string) => conv === '#general' || conv.includes(PEOPLE[1])];
      for (let k = 0; k < 300; k++) {
        const canRead = rng.pick(readers);
        const q = randomQuery(rng, vocab, h.latest(rng.pick(held).seq), h.seq);
        const limit = rng.int(1, 20);
        const before = rng.chance(0.3) ? rng.int(1, h.seq + 1) : undefined;
        const got = h.search(q, canRead, limit, before);
        const expected = reference(h, held, q, canRead, limit, before);
        assert.deepEqual(got, expected, `seed ${seed} query ${k}: ${JSON.stringify(q)} limit ${limit} before ${before}`);
        for (const hit of got.hits) assert.ok(canRead(hit.conv), 'never a conversation the searcher may not read');
      }
    });
  }

  it('pages through every hit with `before`, none twice and none missed', function () {
    const rng = new Prng(77);
    const vocab = vocabulary(rng);
    const h = new MessageHistory({ logger: silentLogger });
    cleanup.add('history', () => h.close());
    const sent: HistoryEntry[] = [];
    for (let i = 0; i < 800; i++) {
      const seq = h.nextSeq();
      const entry: HistoryEntry = {
        id: `${h.epoch}-${seq}`,
        seq,
        ts: BASE_TS + seq,
        from: PEOPLE[0],
        fromName: 'a',
        to: 'all',
        text: sentence(rng, vocab),
        ref: `r${seq}`,
      };
      h.append(entry);
      sent.push(entry);
    }
    const q: ParsedSearch = { words: ['a'], phrases: [] };
    const all = reference(h, sent, q, () => true, Infinity).hits.map((hit) => hit.message.seq);
    assert.ok(all.length > 100, `${all.length} hits`);
    const paged: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = h.search(q, () => true, 25, before);
      paged.push(...page.hits.map((hit) => hit.message.seq));
      if (!page.more) break;
      before = page.hits[page.hits.length - 1].message.seq;
    }
    assert.deepEqual(paged, all);
  });

  it('stays exact after retention dropped most of what it indexed (the index compacts, and forgets words no message held has)', function () {
    const rng = new Prng(5);
    const vocab = vocabulary(rng);
    const h = new MessageHistory({ logger: silentLogger, maxEntries: 2000 });
    cleanup.add('history', () => h.close());
    const sent: HistoryEntry[] = [];
    // Until the index sheds what was dropped (it then knows fewer terms: each message has a word
    // of its own), and not a message more: its sweep is under way, and the records it kept are
    // still all held. A search now and then indexes the words, as the relay's idle slices do.
    for (let terms = 0; h.stats.terms >= terms;) {
      terms = h.stats.terms;
      assert.ok(sent.length < 100_000, 'the index compacted');
      if (sent.length % 500 === 0) h.search({ words: ['nothing'], phrases: [] }, () => true, 1);
      const seq = h.nextSeq();
      const entry: HistoryEntry = {
        id: `${h.epoch}-${seq}`,
        seq,
        ts: BASE_TS + seq,
        from: rng.pick(PEOPLE),
        fromName: 'a',
        to: rng.pick(TARGETS),
        text: `${rng.pick(vocab)} ${rng.pick(vocab)} u${seq}`,
        ref: `r${seq}`,
      };
      if (entry.to === TARGETS[5]) entry.from = PEOPLE[2];
      h.append(entry);
      sent.push(entry);
    }
    const held = sent.slice(-2000);
    for (let k = 0; k < 120; k++) {
      // Words only messages retention dropped had, most of them: their terms are gone now.
      const q = k < 20 ? { words: [`u${rng.int(1, h.seq)}`], phrases: [] } : randomQuery(rng, vocab, undefined, h.seq);
      delete q.since;
      delete q.until;
      assert.deepEqual(
        h.search(q, () => true, 2000),
        reference(h, held, q, () => true, 2000),
        `query ${k}: ${JSON.stringify(q)}`,
      );
    }
    for (const to of TARGETS) {
      const conv = conversationKeyOf(to, to === TARGETS[5] ? PEOPLE[2] : PEOPLE[0]);
      const seqs = held.filter((e) => conversationKeyOf(e.to, e.from) === conv).map((e) => e.seq);
      assert.deepEqual(
        h.page(conv, { limit: 500, after: 0 }).messages.map((m) => m.seq),
        seqs.slice(0, 500),
        `the first page of ${conv}`,
      );
    }
  });

  it('indexes words off the send path: a search right after a flood finds its last message, and idle slices catch up without one', async function () {
    const flood = (h: MessageHistory) => {
      for (let i = 0; i < 20_000; i++) {
        const seq = h.nextSeq();
        h.append({ id: `${h.epoch}-${seq}`, seq, ts: BASE_TS + seq, from: PEOPLE[0], fromName: 'a', to: 'all', text: `flood w${seq}`, ref: `r${seq}` });
      }
      return h.seq;
    };
    const searched = new MessageHistory({ logger: silentLogger, maxEntries: 50_000 });
    cleanup.add('history', () => searched.close());
    const last = flood(searched);
    const hits = searched.search({ words: [`w${last}`], phrases: [] }, () => true, 10);
    assert.deepEqual(
      hits.hits.map((hit) => hit.message.seq),
      [last],
    );
    assert.deepEqual(
      searched.search({ words: [], phrases: [['w1']] }, () => true, 10).hits.map((hit) => hit.message.seq),
      [1],
      'and its first',
    );

    const idle = new MessageHistory({ logger: silentLogger, maxEntries: 50_000 });
    cleanup.add('history', () => idle.close());
    flood(idle);
    const termsRightAfter = idle.stats.terms;
    assert.ok(termsRightAfter < 1000, `the words wait (${termsRightAfter} terms right after the flood)`);
    await until(() => idle.stats.terms > 20_000, 'the idle slices to index every word', 20_000, 25);
  });

  it('a search after a flood waits for the index a slice at a time, letting the relay serve others between slices', async function () {
    const h = new MessageHistory({ logger: silentLogger, maxEntries: 200_000 });
    cleanup.add('history', () => h.close());
    for (let i = 0; i < 100_000; i++) {
      const seq = h.nextSeq();
      h.append({ id: `${h.epoch}-${seq}`, seq, ts: BASE_TS + seq, from: PEOPLE[0], fromName: 'a', to: 'all', text: `flood w${seq}`, ref: `r${seq}` });
    }
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    cleanup.add('timer', () => clearInterval(counting));
    const indexed = h.indexed();
    assert.ok(indexed, 'a hundred thousand messages wait for their words');
    await indexed;
    clearInterval(counting);
    assert.ok(turns > 0, 'other work ran while the index caught up');
    assert.ok(h.stats.terms > 100_000, `every word indexed (${h.stats.terms} terms)`);
    assert.equal(h.indexed(), undefined, 'nothing waits any more');
    assert.deepEqual(
      h.search({ words: [`w${h.seq}`], phrases: [] }, () => true, 10).hits.map((hit) => hit.message.seq),
      [h.seq],
    );
  });
});

function sentence(rng: Prng, vocab: string[]): string {
  const words = Array.from({ length: rng.int(1, 7) }, () => rng.pick(vocab));
  let text = words.map((w, i) => (i === 0 && rng.chance(0.3) ? w.toUpperCase() : w)).join(rng.chance(0.2) ? ', ' : ' ');
  if (rng.chance(0.1)) text += '\n```\nconst x = 1;\n```';
  return text;
}
