import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep, within } from './common';
import { BenchProcesses, request, stopChild, Sut } from './processes';
import { peakRssBytes, rssBytes } from './proc';
import { ensureSearchHistory } from './searchHistory';
import { benchQueries, QUERY_KINDS } from './searchQueries';
import type { SearchSpec } from './searchWorkload';

/**
 * One round of W7, run from main.ts: the relay's resident memory with an empty history folder,
 * then a relay started on a copy of the cached 1,000,000-message folder (how long it takes to
 * load it, its memory once loaded and after the searches, each after a full collection), and
 * the queries asked by a load generator through the real client.
 */

export interface SearchRunSpec {
  w: 'search';
  messages: number;
  /** Queries of each kind (QUERY_KINDS). */
  perKind: number;
  /** Hits asked for per query (a results pane's page). */
  limit: number;
}

export interface SearchRunContext {
  processes: BenchProcesses;
  /** Where the generated history is kept between runs, and where a run's copies go. */
  cacheDir: string;
  runDir: string;
  tag: string;
  loadgenCpu: string;
  timeoutMs: number;
  log(line: string): void;
}

type Metrics = Record<string, unknown>;

/** Under the relay's budget of ten searches a second per connection (rateLimits.ts). */
const QUERY_GAP_MS = 120;

let history: ReturnType<typeof ensureSearchHistory> | undefined;

export async function runSearch(spec: SearchRunSpec, ctx: SearchRunContext): Promise<Metrics> {
  // Made (or found) once per bench run, before any timing starts.
  history ??= ensureSearchHistory(ctx.cacheDir, spec.messages, ctx.log);
  const { dir, meta, vocabulary } = await history;
  // Stopped at the end whatever happens.
  const running: { stop(): Promise<void> }[] = [];
  const start = async (folder: string, label: string): Promise<Sut> => {
    const sut = await ctx.processes.startNodeSut('relay', ['--history-dir', folder], `${ctx.tag}-${label}`);
    running.push(sut);
    return sut;
  };
  const settledRss = async (sut: Sut) => {
    await sut.gc();
    await sleep(300);
    return rssBytes(sut.pid);
  };
  const empty = path.join(ctx.runDir, 'empty');
  const copy = path.join(ctx.runDir, 'history');
  const work = async (): Promise<Metrics> => {
    for (const d of [empty, copy]) fs.rmSync(d, { recursive: true, force: true });
    fs.mkdirSync(empty, { recursive: true });
    const bare = await start(empty, 'empty');
    const emptyRss = await settledRss(bare);
    await bare.stop();

    fs.cpSync(dir, copy, { recursive: true });
    const t0 = performance.now();
    const sut = await start(copy, 'loaded');
    const loadSeconds = (performance.now() - t0) / 1000;
    const loadPeakRss = peakRssBytes(sut.pid);
    const loadedRss = await settledRss(sut);
    // The log as the relay keeps it (it rewrites it at start), and everything else in its folder.
    const logBytes = fs.statSync(path.join(copy, 'history.jsonl')).size;
    const folderBytes = fs
      .readdirSync(copy)
      .filter((f) => !f.startsWith('bench-'))
      .reduce((n, f) => n + fs.statSync(path.join(copy, f)).size, 0);

    const queries = benchQueries(
      {
        vocabulary,
        samples: meta.samples,
        channels: meta.channels,
        secretWord: meta.secretWord,
        outsiderNames: meta.channels.filter((c) => !c.readable).flatMap((c) => (c.writers ?? []).map((w) => w.name)),
      },
      spec.perKind,
      meta.seed,
    );
    const warmup = benchQueries(
      { vocabulary, samples: meta.samples, channels: meta.channels, secretWord: meta.secretWord, outsiderNames: ['nobody'] },
      1,
      meta.seed + 1,
    );
    const searchSpec: SearchSpec = {
      w: 'search-queries',
      searcher: meta.searcher,
      epoch: meta.epoch,
      lastSeq: meta.lastSeq,
      warmup,
      queries,
      limit: spec.limit,
      gapMs: QUERY_GAP_MS,
      unreadable: meta.unreadableChannelKeys,
      channelKeys: Object.fromEntries(meta.channels.map((c) => [c.name, c.id === 'general' ? '#general' : `#${c.id}`])),
    };
    const { lg } = await ctx.processes.forkLoadgen(ctx.tag, ctx.loadgenCpu);
    running.push({ stop: () => stopChild(lg, () => lg.send({ t: 'exit' })) });
    const searched = await request(lg, { t: 'run', spec: searchSpec, system: 'relay', port: sut.port, pid: sut.pid }, () => undefined);
    const afterRss = await settledRss(sut);
    const growth = Math.max(loadedRss, afterRss) - emptyRss;
    return {
      ...searched,
      kinds: QUERY_KINDS.length,
      messages: meta.stats.messages,
      loadSeconds,
      memory: {
        emptyRssBytes: emptyRss,
        loadedRssBytes: loadedRss,
        afterSearchRssBytes: afterRss,
        loadPeakRssBytes: loadPeakRss,
        growthBytes: growth,
        logBytes,
        folderBytes,
        growthPerLogByte: growth / logBytes,
      },
      corpus: { ...meta.stats, generateSeconds: meta.generateSeconds, createdAt: new Date(meta.createdAt).toISOString() },
    };
  };
  try {
    return await within(work(), ctx.timeoutMs, 'W7 search');
  } finally {
    for (const p of running.reverse()) await p.stop();
    for (const d of [empty, copy]) fs.rmSync(d, { recursive: true, force: true });
  }
}
