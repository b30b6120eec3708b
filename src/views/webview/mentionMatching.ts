import type { DirectoryView } from '../chatProtocol';

/**
 * How the composer matches mentions, apart from the DOM (so Node tests run it): the people a
 * query after '@' suggests, whether a text still holds an `@name`, and the people a text names
 * without the autocomplete. The extension checks the same way again on send (model/mentions.ts).
 */

/** Suggestions shown at once. */
export const MAX_OPTIONS = 8;

export type Suggestion =
  | { kind: 'person'; id: string; name: string; online: boolean }
  | { kind: 'room'; id: 'channel' | 'here'; description: string }
  | { kind: 'channel'; name: string }
  | { kind: 'emoji'; emoji: string; shortcode: string; name: string };

export const ROOMS: readonly Extract<Suggestion, { kind: 'room' }>[] = [
  { kind: 'room', id: 'channel', description: 'Notify everyone in this conversation' },
  { kind: 'room', id: 'here', description: 'Notify everyone online in this conversation' },
];

/** People whose name (or a word of it) starts with the query, online first, then `@channel`/`@here`. */
export function mentionOptions(query: string, people: DirectoryView['people']): Suggestion[] {
  const wanted = query.toLowerCase();
  const matches = people.filter((p) => {
    const name = p.name.toLowerCase();
    return name.startsWith(wanted) || name.split(/\s+/).some((word) => word.startsWith(wanted));
  });
  matches.sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  const rooms = ROOMS.filter((room) => room.id.startsWith(wanted));
  const persons: Suggestion[] = matches.slice(0, MAX_OPTIONS - rooms.length).map((p) => ({ kind: 'person', id: p.id, name: p.name, online: p.online }));
  return [...persons, ...rooms];
}

const WORD = /[\p{L}\p{N}_]/u;

/** Whether `text` holds "@name" (any case) not as part of a longer word; as the extension checks it. */
export function mentionsName(text: string, name: string): boolean {
  const wanted = `@${name.trim().toLowerCase()}`;
  if (wanted === '@') return false;
  const lower = text.toLowerCase();
  for (let at = lower.indexOf(wanted); at >= 0; at = lower.indexOf(wanted, at + 1)) {
    if (!WORD.test(lower[at - 1] ?? '') && !WORD.test(lower[at + wanted.length] ?? '')) return true;
  }
  return false;
}

/**
 * People typed by name without the autocomplete: at each '@', the longest name of the
 * directory that follows it, when exactly one person has that name (two Bobs: neither).
 */
export function typedPeople(text: string, people: DirectoryView['people']): string[] {
  if (!text.includes('@') || people.length === 0) return [];
  const byName = new Map<string, string[]>();
  for (const p of people) {
    const key = p.name.trim().toLowerCase();
    if (key !== '') byName.set(key, [...(byName.get(key) ?? []), p.id]);
  }
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  const lower = text.toLowerCase();
  const out: string[] = [];
  for (let at = lower.indexOf('@'); at >= 0; at = lower.indexOf('@', at + 1)) {
    if (WORD.test(lower[at - 1] ?? '')) continue;
    const name = names.find((n) => lower.startsWith(n, at + 1) && !WORD.test(lower[at + 1 + n.length] ?? ''));
    const ids = name === undefined ? [] : byName.get(name)!;
    if (ids.length === 1) out.push(ids[0]!);
  }
  return out;
}
