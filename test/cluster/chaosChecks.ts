// What the chaos test measures besides delivery: how fast everyone's roster agrees again and how
// fast the people of a dead relay are back on another one.
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { CHAT_STREAM } from '../../src/server/cluster/names';
import type { ChaosClient } from './chaosClients';

/** Why `client`'s roster is not (yet) everyone else exactly once, or undefined when it is. */
function rosterProblem(client: ChaosClient, everyone: ChaosClient[]): string | undefined {
  if (!client.connected) return `c${client.index} is not connected`;
  const online = client.onlineIds();
  const missing = everyone.filter((c) => c !== client && !online.has(c.clientId)).length;
  const connections = client.client.peers.size;
  if (missing > 0) return `c${client.index} (relay ${client.relay}) misses ${missing} people online`;
  // One connection each: a dead relay's people must not linger beside their new connections.
  if (connections !== everyone.length - 1) return `c${client.index} (relay ${client.relay}) lists ${connections} connections for ${everyone.length - 1} people`;
  return undefined;
}

/** Resolves with the ms from `since` until every client's roster is right, or rejects after `limitMs` more. */
export async function presenceConverged(clients: ChaosClient[], since: number, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const problems = clients.map((c) => rosterProblem(c, clients)).filter((p): p is string => p !== undefined);
    if (problems.length === 0) return Date.now() - since;
    if (Date.now() > deadline) {
      throw new Error(`presence did not converge within ${limitMs} ms: ${problems.length} rosters wrong, e.g. ${problems.slice(0, 5).join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** For each client that was on the killed relay: ms from the kill to its next welcome (at `atRelay` when given; Infinity if none). */
export async function resumeTimes(moved: ChaosClient[], killedAt: number, waitMs: number, atRelay?: number): Promise<number[]> {
  const welcomedAfter = (c: ChaosClient) => c.welcomes.find((w) => w.at >= killedAt && (atRelay === undefined || w.relay === atRelay));
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && !moved.every(welcomedAfter)) await new Promise((resolve) => setTimeout(resolve, 50));
  return moved.map((c) => (welcomedAfter(c)?.at ?? Infinity) - killedAt);
}

/** Index of the NATS node leading the chat stream (server names are tm-n<i>, natsServers.ts). */
export async function streamLeader(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(CHAT_STREAM);
  const leader = info.cluster?.leader;
  const match = leader ? /^tm-n(\d+)$/.exec(leader) : null;
  if (!match) throw new Error(`no leader for stream ${CHAT_STREAM}: ${JSON.stringify(info.cluster)}`);
  return Number(match[1]);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
