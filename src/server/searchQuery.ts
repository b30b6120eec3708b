import { channelKey, normaliseChannelName, peopleKey } from '../net/protocol/conversationKeys';
import { wordsOf } from './searchText';

/**
 * A message search as typed ("deploy failed from:bob in:#ops has:code after:2025-01-31"), parsed
 * into what the history's search runs. Every part must hold for a message to match:
 * - words: each the start of a word of the message (its text or a file name);
 * - "quoted phrases": whole words, one after the other (a quoted single word: that whole word);
 * - `from:NAME` (or `from:me`), `in:#channel`, `in:@name` (the direct conversation with them;
 *   `in:@me`: notes to oneself), `in:@name,name` (a group): any of several of the same kind;
 * - `has:file` (offered or attached), `has:image` (attached), `has:code` (shared from an editor,
 *   or a ``` fence);
 * - `is:mention`: messages that mention the searcher, or @channel / @here (not the searcher's own);
 * - `before:`, `after:`, `on:` a date (YYYY-MM-DD, UTC): before that day, after it, on it.
 * Anything else that looks like `word:` is searched as words.
 */
export interface ParsedSearch {
  /** Normalised (searchText.ts); each matches the start of a word. */
  words: string[];
  /** Each a run of normalised whole words. */
  phrases: string[][];
  /** Sent by any of these identities. */
  from?: string[];
  /** In any of these conversations (keys). */
  in?: string[];
  hasFile?: boolean;
  hasImage?: boolean;
  hasCode?: boolean;
  /** Mentioning this identity, or everyone (@channel, @here) in messages from others. */
  mentioning?: string;
  /** Sent at or after this time (ms since 1970). */
  since?: number;
  /** Sent before this time (ms since 1970). */
  until?: number;
}

/**
 * How the parser turns names into identities and channels. `channel` must only find channels the
 * searcher may see, so that an unknown name and a hidden channel read the same.
 */
export interface SearchNames {
  /** The searcher, for `from:me` and the keys of `in:@name`. */
  self?: string;
  /** The identities called `name` (a display name or a client id); [] when nobody is. */
  people(name: string): string[];
  /** The id of the channel called `name` (normalised: lowercase, no "#"), if the searcher sees one. */
  channel(name: string): string | undefined;
}

const DAY_MS = 24 * 3600 * 1000;
/** `op:value` or `op:"a value"` (the closing quote may be missing at the end). */
const PART = /([A-Za-z]+):(?:"([^"]*)"?|(\S+))|"([^"]*)"?|(\S+)/g;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const OPERATORS = new Set(['from', 'in', 'has', 'is', 'before', 'after', 'on']);

export function parseSearch(text: string, names: SearchNames): ParsedSearch | { error: string } {
  const query: ParsedSearch = { words: [], phrases: [] };
  for (const match of text.matchAll(PART)) {
    const [, op, quotedValue, plainValue, phrase, plain] = match;
    const operator = op?.toLowerCase();
    if (operator !== undefined && OPERATORS.has(operator)) {
      const problem = applyOperator(query, operator, (quotedValue ?? plainValue ?? '').trim(), names);
      if (problem) return { error: problem };
    } else if (phrase !== undefined) {
      const words = wordsOf(phrase);
      if (words.length > 0) query.phrases.push(words);
    } else {
      query.words.push(...wordsOf(plain ?? match[0]));
    }
  }
  query.words = [...new Set(query.words)];
  if (query.since !== undefined && query.until !== undefined && query.since >= query.until) return { error: 'the dates leave no time to search in' };
  const empty =
    query.words.length === 0 &&
    query.phrases.length === 0 &&
    !query.from &&
    !query.in &&
    !query.hasFile &&
    !query.hasImage &&
    !query.hasCode &&
    !query.mentioning;
  if (empty && query.since === undefined && query.until === undefined) return { error: 'nothing to search for: type some words' };
  return query;
}

function applyOperator(query: ParsedSearch, operator: string, value: string, names: SearchNames): string | undefined {
  if (value === '') return `${operator}: needs a value`;
  switch (operator) {
    case 'from': {
      const name = value.replace(/^@/, '');
      const ids = name.toLowerCase() === 'me' && names.self ? [names.self] : names.people(name);
      if (ids.length === 0) return `nobody is called "${name}"`;
      query.from = [...new Set([...(query.from ?? []), ...ids])];
      return undefined;
    }
    case 'in': {
      const keys = value.startsWith('@') ? peopleKeys(value.slice(1), names) : channelKeys(value, names);
      if (typeof keys === 'string') return keys;
      query.in = [...new Set([...(query.in ?? []), ...keys])];
      return undefined;
    }
    case 'has': {
      const what = value.toLowerCase();
      if (what === 'file' || what === 'files') query.hasFile = true;
      else if (what === 'image' || what === 'images') query.hasImage = true;
      else if (what === 'code') query.hasCode = true;
      else return `has: takes "file", "image" or "code", not "${value}"`;
      return undefined;
    }
    case 'is': {
      const what = value.toLowerCase();
      if (what !== 'mention' && what !== 'mentions') return `is: takes "mention", not "${value}"`;
      if (!names.self) return 'is:mention needs to know who is searching';
      query.mentioning = names.self;
      return undefined;
    }
    default:
      return applyDate(query, operator, value);
  }
}

function channelKeys(value: string, names: SearchNames): string[] | string {
  const name = normaliseChannelName(value);
  const id = names.channel(name);
  return id === undefined ? `no channel #${name}` : [channelKey(id)];
}

/** `in:@bob` is the direct conversation with each identity called bob; `in:@bob,carol` the
 *  group of the searcher, bob and carol (each name must then be one person). */
function peopleKeys(list: string, names: SearchNames): string[] | string {
  if (!names.self) return 'in:@ needs to know who is searching';
  const people = list.split(',').map((name) => name.trim().replace(/^@/, ''));
  const found: string[][] = [];
  for (const name of people) {
    if (name === '') return `in:@${list} names nobody`;
    const ids = name.toLowerCase() === 'me' ? [names.self] : names.people(name);
    if (ids.length === 0) return `nobody is called "${name}"`;
    if (ids.length > 1 && people.length > 1) return `"${name}" is the name of several people: use their ids`;
    found.push(ids);
  }
  if (found.length === 1) return found[0].map((id) => peopleKey([names.self!, id]));
  return [peopleKey([names.self, ...found.map((ids) => ids[0])])];
}

function applyDate(query: ParsedSearch, operator: string, value: string): string | undefined {
  const match = DATE.exec(value);
  const day = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  // Date.UTC rolls 2025-02-30 over to March: only a date that comes back as written is one.
  if (!match || new Date(day).toISOString().slice(0, 10) !== value) return `${operator}: takes a date as YYYY-MM-DD, not "${value}"`;
  const later = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));
  const earlier = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));
  if (operator === 'before') query.until = earlier(query.until, day);
  else if (operator === 'after') query.since = later(query.since, day + DAY_MS);
  else {
    query.since = later(query.since, day);
    query.until = earlier(query.until, day + DAY_MS);
  }
  return undefined;
}
