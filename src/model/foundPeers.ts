import type { WhoAnswer } from '../net/client/teamClient';
import { describeLastSeen } from './peersModel';

/** One row of a peer search, as the quick picks show it. Names are the peers' own strings. */
export interface FoundPeer {
  clientId: string;
  name: string;
  /** Machine, and status or when last seen. */
  description: string;
  online: boolean;
}

/** The rows for a search answer: online people first (as the relay ordered them), never the user. */
export function foundPeerRows(answer: WhoAnswer, selfId: string, now: number = Date.now()): FoundPeer[] {
  const rows: FoundPeer[] = [];
  const seen = new Set<string>([selfId]);
  for (const p of answer.peers) {
    if (seen.has(p.clientId)) continue;
    seen.add(p.clientId);
    rows.push({ clientId: p.clientId, name: p.name, description: join(p.machine, p.status === 'online' ? '' : p.status), online: true });
  }
  for (const k of answer.known) {
    if (seen.has(k.clientId)) continue;
    seen.add(k.clientId);
    rows.push({ clientId: k.clientId, name: k.name, description: join(k.machine, `offline · last seen ${describeLastSeen(k.lastSeen, now)}`), online: false });
  }
  return rows;
}

function join(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' · ');
}
