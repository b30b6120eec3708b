import type { KnownPeer, PeerInfo, PeerStatus, PresenceMode } from '../net/protocol/messages';
import type { ConversationId } from './conversationTypes';
import { inert, InertText, joinInert } from './inertText';

/**
 * What the Peers tree shows, computed from the client's roster: pure, no VS Code. Names and
 * machines are the peers' own strings: the texts the tree shows went through `inert`.
 */

export type PeerNodeStatus = PeerStatus | 'offline';

export interface PeerNode {
  kind: 'peer';
  conversationId: ConversationId;
  /** The peer's identity. */
  clientId: string;
  /** The display name. */
  label: InertText;
  /** Machine(s), or 'offline · last seen 5 min ago' (with the machine when the name is not unique). */
  description: InertText;
  /** Plain text, one fact a line. */
  tooltip: InertText;
  status: PeerNodeStatus;
  unread: number;
  /** Live connections of this identity (0 when offline). */
  sessions: number;
}

export interface PeerNodesInput {
  /** The client's online peers (`client.peers.values()`): one entry per connection. */
  online: Iterable<PeerInfo>;
  /** The client's offline peers (`client.known.values()`). */
  known: Iterable<KnownPeer>;
  selfId: string;
  /** The user's display name: a peer with the same name is marked "another <name> on <machine>". */
  selfName?: string;
  unreadByConversation: (conversationId: ConversationId) => number;
  /** Measured end-to-end round trips by client id, in ms (preferred over the relay's figure). */
  rttByClient?: ReadonlyMap<string, number>;
  /** For relative times (default Date.now()). */
  now?: number;
}

/** Best first, when one identity is connected several times with different statuses. */
const STATUS_RANK: Record<PeerStatus, number> = { online: 0, busy: 1, dnd: 2, away: 3 };

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

interface Merged {
  clientId: string;
  name: string;
  machines: string[];
  addresses: string[];
  status: PeerStatus;
  since: number;
  latest: number;
  rtt: number | undefined;
  sessions: number;
}

/** The people in the tree: online ones by name, then offline ones, most recently seen first. (The
 *  team-wide room is #general, in the Channels section: see channelNodes.ts.) */
export function buildPeerNodes(input: PeerNodesInput): PeerNode[] {
  const now = input.now ?? Date.now();
  const merged = new Map<string, Merged>();
  for (const peer of input.online) {
    if (peer.clientId === input.selfId) continue;
    const m = merged.get(peer.clientId);
    if (!m) {
      merged.set(peer.clientId, {
        clientId: peer.clientId,
        name: peer.name,
        machines: [peer.machine],
        addresses: [peer.address],
        status: peer.status,
        since: peer.since,
        latest: peer.since,
        rtt: peer.rtt,
        sessions: 1,
      });
      continue;
    }
    m.sessions++;
    if (peer.since >= m.latest) {
      // The newest connection says what the person is called now.
      m.latest = peer.since;
      m.name = peer.name;
    }
    if (!m.machines.includes(peer.machine)) m.machines.push(peer.machine);
    if (!m.addresses.includes(peer.address)) m.addresses.push(peer.address);
    if (STATUS_RANK[peer.status] < STATUS_RANK[m.status]) m.status = peer.status;
    m.since = Math.min(m.since, peer.since);
    if (peer.rtt !== undefined && (m.rtt === undefined || peer.rtt < m.rtt)) m.rtt = peer.rtt;
  }

  const offline = new Map<string, KnownPeer>();
  for (const peer of input.known) {
    if (peer.clientId === input.selfId || merged.has(peer.clientId)) continue;
    const previous = offline.get(peer.clientId);
    if (!previous || peer.lastSeen > previous.lastSeen) offline.set(peer.clientId, peer);
  }

  // A name shared by several identities (or machines) needs the machine to tell them apart.
  const nameCount = new Map<string, number>();
  const nameMachineCount = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const m of merged.values()) {
    count(nameCount, nameKey(m.name));
    count(nameMachineCount, nameKey(m.name) + '\u0000' + m.machines.join(', '));
  }
  for (const k of offline.values()) {
    count(nameCount, nameKey(k.name));
    count(nameMachineCount, nameKey(k.name) + '\u0000' + k.machine);
  }
  // Someone else with the user's own name would read as the user: said so, with the machine.
  const namesake = (name: string) => sameName(name, input.selfName ?? '');
  const namesakeLine = (name: string) => (namesake(name) ? 'Not you: another identity with your display name' : undefined);
  const ambiguous = (name: string) => namesake(name) || (nameCount.get(nameKey(name)) ?? 0) > 1;
  const sameEverywhere = (name: string, machine: string) => (nameMachineCount.get(nameKey(name) + '\u0000' + machine) ?? 0) > 1;

  const onlineNodes = [...merged.values()]
    .sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.machines.join(), b.machines.join()) || compareIds(a.clientId, b.clientId))
    .map((m): PeerNode => {
      const conversationId = `peer:${m.clientId}`;
      const machine = m.machines.join(', ');
      const rtt = input.rttByClient?.get(m.clientId) ?? m.rtt;
      let description = namesake(m.name) ? another(m.name, machine) : machine;
      if (sameEverywhere(m.name, machine)) description = joinParts(description, shortId(m.clientId));
      if (m.status !== 'online') description = joinParts(description, m.status);
      return {
        kind: 'peer',
        conversationId,
        clientId: m.clientId,
        label: inert(m.name),
        description: inert(description),
        tooltip: lines([
          m.name,
          namesakeLine(m.name),
          `Machine: ${machine || '(unnamed)'}`,
          `Address: ${m.addresses.join(', ')}`,
          `Status: ${m.status}${m.sessions > 1 ? ` (${m.sessions} connections)` : ''}`,
          `Connected since: ${formatClock(m.since)} (${describeLastSeen(m.since, now)})`,
          rtt !== undefined && Number.isFinite(rtt) ? `Round trip: ${Math.round(rtt)} ms` : undefined,
          `Client id: ${m.clientId}`,
        ]),
        status: m.status,
        unread: input.unreadByConversation(conversationId),
        sessions: m.sessions,
      };
    });

  const offlineNodes = [...offline.values()]
    .sort((a, b) => b.lastSeen - a.lastSeen || collator.compare(a.name, b.name) || compareIds(a.clientId, b.clientId))
    .map((k): PeerNode => {
      const conversationId = `peer:${k.clientId}`;
      const seen = `last seen ${describeLastSeen(k.lastSeen, now)}`;
      let prefix = '';
      if (ambiguous(k.name)) {
        const machine = namesake(k.name) ? another(k.name, k.machine) : k.machine;
        prefix = sameEverywhere(k.name, k.machine) ? joinParts(machine, shortId(k.clientId)) : machine;
      }
      return {
        kind: 'peer',
        conversationId,
        clientId: k.clientId,
        label: inert(k.name),
        description: inert(joinParts(prefix, `offline · ${seen}`)),
        tooltip: lines([k.name, namesakeLine(k.name), `Machine: ${k.machine || '(unnamed)'}`, `Status: offline, ${seen}`, `Client id: ${k.clientId}`]),
        status: 'offline',
        unread: input.unreadByConversation(conversationId),
        sessions: 0,
      };
    });

  return [...onlineNodes, ...offlineNodes];
}

/** On a big relay, the row standing for everyone not listed: how many, and a way to search. */
export interface FindPeerNode {
  kind: 'find';
  label: InertText;
  tooltip: InertText;
  /** People online besides the user. */
  online: number;
}

export type PeersViewNode = PeerNode | FindPeerNode;

export interface PeersViewInput extends PeerNodesInput {
  /** The relay's presence mode and online count (this user included); absent: full. */
  presence?: { mode: PresenceMode; online: number };
  /** Whom the user watches: its conversations' members and the peers it found. */
  watched?: ReadonlySet<string>;
}

/**
 * The people of the Peers view. With full presence (a small team) exactly buildPeerNodes. On a
 * big relay (watched presence) only the watched people are listed, after one row with the online
 * count that opens Find Peer: a list of thousands helps nobody.
 */
export function buildPeersView(input: PeersViewInput): PeersViewNode[] {
  if (input.presence?.mode !== 'watched') return buildPeerNodes(input);
  const watched = input.watched ?? new Set<string>();
  const people = buildPeerNodes({
    ...input,
    online: [...input.online].filter((p) => watched.has(p.clientId)),
    known: [...input.known].filter((p) => watched.has(p.clientId)),
  });
  const others = Math.max(0, input.presence.online - 1);
  const find: FindPeerNode = {
    kind: 'find',
    label: inert`${others} online — Find Peer…`,
    tooltip: lines([
      `${others} people online besides you`,
      'A big team: only the people you talk to are listed here. Find anyone else by name, machine or client id.',
    ]),
    online: others,
  };
  return [find, ...people];
}

/**
 * How long ago `ms` was, for people: 'just now' (under a minute, or in the future), '5 min ago',
 * '3 h ago' (under a day), 'yesterday' (the previous calendar day), else the local date
 * 'YYYY-MM-DD'.
 */
export function describeLastSeen(ms: number, now: number): string {
  const elapsed = now - ms;
  if (!Number.isFinite(elapsed) || elapsed < 60_000) return 'just now';
  if (elapsed < 3_600_000) return `${Math.floor(elapsed / 60_000)} min ago`;
  if (elapsed < 86_400_000) return `${Math.floor(elapsed / 3_600_000)} h ago`;
  const then = new Date(ms);
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (sameDay(then, yesterday)) return 'yesterday';
  return `${then.getFullYear()}-${pad(then.getMonth() + 1)}-${pad(then.getDate())}`;
}

/** The activity bar badge for unread messages; undefined when there are none. */
export function badgeFor(totalUnread: number): { value: number; tooltip: InertText } | undefined {
  if (!Number.isFinite(totalUnread) || totalUnread < 1) return undefined;
  const value = Math.floor(totalUnread);
  return { value, tooltip: value === 1 ? inert`1 unread message` : inert`${value} unread messages` };
}

/** "another alice on laptop": a peer using the user's own display name. */
export function another(name: string, machine: string): string {
  return machine ? `another ${name} on ${machine}` : `another ${name}`;
}

/** Whether `name` is the user's own display name, as people would read it (case and form aside). */
export function sameName(name: string, selfName: string): boolean {
  return selfName !== '' && nameKey(name) === nameKey(selfName);
}

function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase();
}

function shortId(clientId: string): string {
  return `#${clientId.slice(0, 6)}`;
}

function joinParts(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' · ');
}

/** A tooltip: one fact a line, each line inert on its own (a name cannot add lines). */
function lines(parts: Array<string | undefined>): InertText {
  return joinInert(
    parts.filter((p): p is string => p !== undefined).map((p) => inert(p)),
    '\n',
  );
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time 'HH:MM'. */
function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
