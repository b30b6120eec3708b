import { Limits } from '../net/protocol/messages';

/**
 * Whom the extension watches on a big relay (watched presence): the people it has
 * conversations with, most recently active first, then the peers the user found, newest first.
 * Bounded by the protocol's cap, so the least recent fall off first.
 */
export function watchListFor(
  conversationMembers: Iterable<readonly string[]>,
  found: Iterable<string>,
  selfId: string,
  max: number = Limits.watchIds,
): string[] {
  const out = new Set<string>();
  const add = (id: string) => {
    if (out.size < max && id !== selfId) out.add(id);
  };
  for (const members of conversationMembers) for (const id of members) add(id);
  for (const id of found) add(id);
  return [...out];
}

/** Whether a watch list says the same as the set the client already watches. */
export function sameWatch(list: readonly string[], current: ReadonlySet<string>): boolean {
  return list.length === current.size && list.every((id) => current.has(id));
}

/** Found peers are remembered newest first, and only so many. */
export const MAX_FOUND = 200;

export function rememberFound(found: readonly string[], ids: readonly string[]): string[] {
  return [...new Set([...ids, ...found])].slice(0, MAX_FOUND);
}
