import { ErrorCode, TeamMessengerError } from '../protocol/errors';
import { KnownPeer, Limits, PeerInfo, PresenceMode } from '../protocol/messages';
import type { WhoAnswer } from './clientTypes';

/** What finding a peer needs of the client. */
export interface PeerLookupHost {
  readonly peers: ReadonlyMap<number, PeerInfo>;
  readonly known: ReadonlyMap<string, KnownPeer>;
  readonly presenceMode: PresenceMode;
  readonly watched: ReadonlySet<string>;
  who(query: string, limit?: number): Promise<WhoAnswer>;
  watch(ids: readonly string[]): Promise<void>;
}

/**
 * Finds the identity a person means: a client id, a name, or `name@machine`, among online and
 * known peers. On a big relay (watched presence), where the roster holds only the watched
 * identities, it asks the relay, and then watches the identity found so that its comings and
 * goings (and file transfers to it) work like a watched peer's. Rejects with NO_SUCH_PEER or
 * AMBIGUOUS_PEER with the candidates.
 */
export async function resolvePeer(client: PeerLookupHost, query: string): Promise<string> {
  const candidates = new Map<string, string>();
  const consider = (p: { clientId: string; name: string; machine: string }) => {
    if (p.clientId === query || p.name === query || `${p.name}@${p.machine}` === query) candidates.set(p.clientId, `${p.name}@${p.machine}`);
  };
  for (const p of client.peers.values()) consider(p);
  if (candidates.size === 0) for (const p of client.known.values()) consider(p);
  let asked: WhoAnswer | undefined;
  if (candidates.size === 0 && client.presenceMode === 'watched' && query.length > 0) {
    // The relay matches parts of names or machines: for name@machine ask for the name part,
    // and keep only exact matches.
    const at = query.lastIndexOf('@');
    asked = await client.who((at > 0 ? query.slice(0, at) : query).slice(0, Limits.whoQueryChars), Limits.whoResults);
    for (const p of [...asked.peers, ...asked.known]) consider(p);
  }
  const [only] = candidates.keys();
  if (candidates.size === 1) {
    if (asked && !client.watched.has(only) && client.watched.size < Limits.watchIds) await client.watch([...client.watched, only]);
    return only;
  }
  if (candidates.size === 0) {
    const hint = asked?.more ? ` (more than ${Limits.whoResults} peers partly match it: use the client id)` : '';
    throw new TeamMessengerError(ErrorCode.NoSuchPeer, `no peer called "${query}" is known to the relay${hint}`);
  }
  throw new TeamMessengerError(ErrorCode.AmbiguousPeer, `"${query}" could be ${[...candidates.values()].join(', ')}; say name@machine`);
}
