import type { KnownPeer } from '../net/protocol/messages';
import { another, describeLastSeen, sameName } from './peersModel';

/**
 * Whom a people picker lists: everyone online (by name, machines as the description), and when
 * asked the people seen before who are offline now (most recently seen first) — those a channel
 * can take in while they are away. Never the user. Plain data; the picker makes it inert.
 */

export interface PickablePeer {
  clientId: string;
  name: string;
  online: boolean;
  /** "laptop, desktop"; "another alice on laptop"; "offline · last seen 5 min ago". */
  description: string;
}

/** Offline people listed at most (the newest seen); a relay may remember many more. */
export const MAX_OFFLINE_LISTED = 1000;

export function pickablePeers(input: {
  online: readonly { clientId: string; name: string; machines: string[] }[];
  known: Iterable<KnownPeer>;
  selfId: string;
  selfName: string;
  includeOffline: boolean;
  now: number;
}): PickablePeer[] {
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  const online = input.online
    .filter((p) => p.clientId !== input.selfId)
    .map((p): PickablePeer => {
      const machines = p.machines.join(', ');
      return { clientId: p.clientId, name: p.name, online: true, description: sameName(p.name, input.selfName) ? another(p.name, machines) : machines };
    })
    .sort((a, b) => collator.compare(a.name, b.name));
  if (!input.includeOffline) return online;
  const here = new Set(online.map((p) => p.clientId));
  const newest = new Map<string, KnownPeer>();
  for (const k of input.known) {
    if (k.clientId === input.selfId || here.has(k.clientId)) continue;
    const seen = newest.get(k.clientId);
    if (!seen || k.lastSeen > seen.lastSeen) newest.set(k.clientId, k);
  }
  const offline = [...newest.values()]
    .sort((a, b) => b.lastSeen - a.lastSeen)
    .slice(0, MAX_OFFLINE_LISTED)
    .map((k): PickablePeer => ({
      clientId: k.clientId,
      name: k.name,
      online: false,
      description: `offline · last seen ${describeLastSeen(k.lastSeen, input.now)}`,
    }));
  return [...online, ...offline];
}
