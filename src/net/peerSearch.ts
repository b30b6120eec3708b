/** Something a search can match: an identity with its name and machine. */
export interface Searchable {
  clientId: string;
  name: string;
  machine: string;
}

export interface SearchResult<On, Off> {
  online: On[];
  offline: Off[];
  /** More identities matched than were returned. */
  more: boolean;
}

/**
 * Finds identities for a `who` query: a case-insensitive substring of the name or machine, or
 * a prefix of the client id. The query is only ever compared as text (never a pattern, so no
 * query can be slow to match). Online identities come first; the walk stops as soon as it has
 * `limit` matches and knows whether there is one more, so a common query does not read the
 * whole directory.
 */
export function searchPeers<On extends Searchable, Off extends Searchable>(
  query: string,
  limit: number,
  online: Iterable<On>,
  offline: Iterable<Off>,
): SearchResult<On, Off> {
  const needle = query.toLowerCase();
  const matches = (p: Searchable) => p.clientId.startsWith(query) || p.name.toLowerCase().includes(needle) || p.machine.toLowerCase().includes(needle);
  const result: SearchResult<On, Off> = { online: [], offline: [], more: false };
  const full = () => result.online.length + result.offline.length >= limit;
  for (const p of online) {
    if (!matches(p)) continue;
    if (full()) {
      result.more = true;
      return result;
    }
    result.online.push(p);
  }
  for (const p of offline) {
    if (!matches(p)) continue;
    if (full()) {
      result.more = true;
      return result;
    }
    result.offline.push(p);
  }
  return result;
}
