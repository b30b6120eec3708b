import { TeamClient } from '../../src/net/client/teamClient';
import { identityFromPem } from '../../src/net/identity';
import { silentLogger } from '../../src/net/logger';
import { newHistogram, sleep, summarize } from './common';
import { cpuSeconds } from './proc';
import { hitProblem } from './searchChecks';
import type { BenchQuery } from './searchQueries';
import { BENCH_SECRET } from './systems';

/**
 * W7 in the load generator: the searching identity connects with the real client (resuming at
 * the end of the history, so nothing is replayed to it) and asks each query in turn, one at a
 * time and no faster than a person searching as they type (the relay allows a connection ten
 * searches a second), timing each from the call to the answer parsed. Every hit is checked against what the
 * searcher may read (a hit from anywhere else is a leak) and against the query's filters.
 */

export interface SearchSpec {
  w: 'search-queries';
  searcher: { clientId: string; name: string; pem: string };
  epoch: string;
  lastSeq: number;
  /** Asked first and timed apart: the first search after the relay started, and the code warming up. */
  warmup: BenchQuery[];
  queries: BenchQuery[];
  limit: number;
  /** Each query starts at least this long after the one before started. */
  gapMs: number;
  /** Conversation keys of channels the searcher is not in. */
  unreadable: string[];
  /** Channel name → conversation key, to check the hits of `in:#name`. */
  channelKeys: Record<string, string>;
}

type Metrics = Record<string, unknown>;

export async function search(spec: SearchSpec, port: number, pid: number): Promise<Metrics> {
  const client = new TeamClient({
    host: '127.0.0.1',
    port,
    name: spec.searcher.name,
    machine: 'bench',
    identity: identityFromPem(spec.searcher.pem),
    secret: BENCH_SECRET,
    tls: false,
    reconnect: false,
    bookmark: { epoch: spec.epoch, seq: spec.lastSeq },
    logger: silentLogger,
  });
  await client.connect();
  const unreadable = new Set(spec.unreadable);
  const readable = (conv: string) => !unreadable.has(conv) && (!conv.startsWith('@') || conv.slice(1).split(',').includes(spec.searcher.clientId));
  let lastStart = -Infinity;
  const ask = async (q: BenchQuery) => {
    const wait = lastStart + spec.gapMs - performance.now();
    if (wait > 0) await sleep(wait);
    const t0 = (lastStart = performance.now());
    try {
      const answer = await client.conversations.search(q.text, { limit: spec.limit });
      const ms = performance.now() - t0;
      const problems = answer.hits.flatMap((h) => hitProblem(q.text, h, spec.channelKeys) ?? []);
      return { ms, hits: answer.hits.length, more: answer.more, leaks: answer.hits.filter((h) => !readable(h.conv)).length, problems };
    } catch (err) {
      return { ms: performance.now() - t0, error: (err as Error).message };
    }
  };
  try {
    const warm = [];
    for (const q of spec.warmup) warm.push(await ask(q));
    const all = newHistogram();
    const kinds = new Map<string, { hist: ReturnType<typeof newHistogram>; hits: number[]; more: number }>();
    const refused: { query: string; error: string }[] = [];
    const timed: { query: string; kind: string; ms: number; hits: number }[] = [];
    let leaks = 0;
    const mismatched: { query: string; problem: string }[] = [];
    const cpu0 = cpuSeconds(pid);
    for (const q of spec.queries) {
      const r = await ask(q);
      if ('error' in r) {
        refused.push({ query: q.text, error: r.error ?? '' });
        continue;
      }
      const us = Math.max(1, Math.round(r.ms * 1000));
      all.recordValue(us);
      let kind = kinds.get(q.kind);
      if (!kind) kinds.set(q.kind, (kind = { hist: newHistogram(), hits: [], more: 0 }));
      kind.hist.recordValue(us);
      kind.hits.push(r.hits);
      if (r.more) kind.more++;
      leaks += r.leaks;
      for (const problem of r.problems) mismatched.push({ query: q.text, problem });
      timed.push({ query: q.text, kind: q.kind, ms: r.ms, hits: r.hits });
    }
    const relayCpuMsPerQuery = ((cpuSeconds(pid) - cpu0) * 1000) / spec.queries.length;
    const byKind: Metrics = {};
    for (const [name, k] of kinds) {
      const sorted = k.hits.slice().sort((a, b) => a - b);
      byKind[name] = { ...summarize(k.hist), medianHits: sorted[sorted.length >> 1], withHits: sorted.filter((h) => h > 0).length, withMore: k.more };
    }
    return {
      ...summarize(all),
      queries: spec.queries.length,
      limit: spec.limit,
      firstQueryMs: warm[0]?.ms,
      relayCpuMsPerQuery,
      warmupMs: warm.map((w) => w.ms),
      withHits: timed.filter((t) => t.hits > 0).length,
      leaks: leaks + warm.reduce((n, w) => n + ('leaks' in w ? (w.leaks ?? 0) : 0), 0),
      refused,
      /** Hits that do not answer their query's filters (lib/searchChecks.ts). */
      mismatched: mismatched.length,
      mismatchedExamples: mismatched.slice(0, 5),
      slowest: timed.sort((a, b) => b.ms - a.ms).slice(0, 8),
      byKind,
    };
  } finally {
    await client.close();
  }
}
