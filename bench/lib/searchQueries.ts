import { Prng } from './prng';
import type { CorpusChannel, CorpusSample } from './searchCorpus';

/**
 * W7's queries: what people type into a search box, of every kind the relay's search takes, in
 * equal numbers and shuffled. Most are built from messages the searcher may read (the corpus's
 * samples), so they find something; some find nothing on purpose (a word nobody wrote, a word
 * written only where the searcher may not read), which is where a search without an index
 * would read everything.
 */

export interface BenchQuery {
  kind: QueryKind;
  text: string;
}

export const QUERY_KINDS = ['common word', 'rare word', 'prefix', 'two words', 'phrase', 'from:', 'in:#channel', 'has:', 'dates', 'finds nothing'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

export interface QuerySource {
  /** Words by rank, most frequent first. */
  vocabulary: readonly string[];
  samples: readonly CorpusSample[];
  channels: readonly CorpusChannel[];
  /** A word only in conversations the searcher may not read. */
  secretWord: string;
  /** Who writes in those conversations (a from: of theirs finds only what the searcher may read). */
  outsiderNames: readonly string[];
}

/** The first ranks are words like "the", "to", "is": a search for them alone is not what people type. */
const FUNCTION_WORDS = 60;

/** `perKind` queries of each kind, shuffled (the same for the same seed). */
export function benchQueries(source: QuerySource, perKind: number, seed: number): BenchQuery[] {
  if (source.samples.length === 0) throw new Error('the corpus has no samples to build queries from');
  const prng = new Prng(seed);
  const ranks = new Map(source.vocabulary.map((word, rank) => [word, rank]));
  const out: BenchQuery[] = [];
  for (const kind of QUERY_KINDS) for (let i = 0; i < perKind; i++) out.push({ kind, text: query(kind, i, source, ranks, prng) });
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function query(kind: QueryKind, i: number, s: QuerySource, ranks: ReadonlyMap<string, number>, prng: Prng): string {
  const v = s.vocabulary;
  const rank = (from: number, to: number) => v[prng.int(from, Math.min(to, v.length - 1))];
  const sample = () => prng.pick(s.samples);
  const contentWord = (words: readonly string[]) => {
    const content = words.filter((w) => (ranks.get(w) ?? v.length) >= FUNCTION_WORDS);
    return content.length ? prng.pick(content) : prng.pick(words);
  };
  switch (kind) {
    case 'common word':
      return rank(FUNCTION_WORDS, 600);
    case 'rare word':
      return rank(3000, v.length - 1);
    case 'prefix': {
      let word = rank(100, 5000);
      while (word.length < 6) word = rank(100, 5000);
      return word.slice(0, prng.int(3, 5));
    }
    case 'two words': {
      const words = sample().words;
      const a = contentWord(words);
      let b = contentWord(words);
      for (let tries = 0; b === a && tries < 5; tries++) b = prng.pick(words);
      return a === b ? `${a} ${rank(FUNCTION_WORDS, 600)}` : `${a} ${b}`;
    }
    case 'phrase': {
      // Words as they stand in a message, around one that is not a function word: people quote
      // "deploy is green", not "is the".
      const words = sample().words;
      const length = Math.min(words.length, prng.int(2, 3));
      const anchors = words.map((w, at) => ((ranks.get(w) ?? v.length) >= FUNCTION_WORDS ? at : -1)).filter((at) => at >= 0);
      const anchor = anchors.length ? prng.pick(anchors) : prng.int(0, words.length - 1);
      const start = Math.max(0, Math.min(words.length - length, anchor - prng.int(0, length - 1)));
      return `"${words.slice(start, start + length).join(' ')}"`;
    }
    case 'from:': {
      const m = sample();
      return i % 3 === 0 ? `from:${m.from}` : `from:${m.from} ${contentWord(m.words)}`;
    }
    case 'in:#channel': {
      const inChannels = s.samples.filter((m) => m.conv.startsWith('#'));
      const m = inChannels.length ? prng.pick(inChannels) : sample();
      const channel = s.channels.find((c) => `#${c.id}` === m.conv || (c.id === 'general' && m.conv === '#general'));
      return `in:#${channel?.name ?? 'general'} ${contentWord(m.words)}`;
    }
    case 'has:':
      return [`has:code`, `has:code ${rank(FUNCTION_WORDS, 400)}`, `has:file`, `has:file ${rank(FUNCTION_WORDS, 400)}`][i % 4];
    case 'dates': {
      const m = sample();
      const day = (ts: number) => new Date(ts).toISOString().slice(0, 10);
      const word = contentWord(m.words);
      if (i % 3 === 0) return `on:${day(m.ts)} ${word}`;
      if (i % 3 === 1) return `after:${day(m.ts - 7 * 86_400_000)} before:${day(m.ts + 7 * 86_400_000)} ${word}`;
      return `before:${day(m.ts + 86_400_000)} ${rank(FUNCTION_WORDS, 300)}`;
    }
    case 'finds nothing':
      return [
        `zzyzxq${i}`,
        s.secretWord,
        `from:${prng.pick(s.outsiderNames)} ${s.secretWord}`,
        `${rank(FUNCTION_WORDS, 200)} ${s.secretWord}`,
        `"${rank(3000, v.length - 1)} ${rank(3000, v.length - 1)}"`,
      ][i % 5];
  }
}
