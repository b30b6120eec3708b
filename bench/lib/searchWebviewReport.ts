/**
 * RESULTS.md's sections for W7 (search over the relay's stored history) and W8 (the chat
 * webview with a long conversation): what was run, and each figure beside its budget.
 */
import { QUERY_KINDS } from './searchQueries';
import { count, findRun, labelsOf, millis, times, type TargetRun } from './targets';

type M = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SEARCH_WEBVIEW_METHOD = [
  "- **W7 search**: a history of that many messages is generated once (bench/lib/searchCorpus.ts, seeded; kept in `bench/tmp/cache` for 30 days): months of a team's chat in #general, a dozen public channels, a private channel the searcher is in and one it is not, direct and group conversations, ~400 senders of whom a few write most, words drawn by Zipf's law from 50,000 (the common ones English and a software team's jargon), code excerpts with and without a code reference, files, mentions, links and thread replies. The channels, their members and the searcher are made by a relay answering real clients; the messages are then written to its log in the log's format. Each round copies the folder, measures the relay's resident memory with an empty history folder, starts the relay (its own process, CPU 1, retention set to keep all of it) on the copy, and measures its memory once loaded and after the searches, each after a full collection; memory for the history is the larger of the two less the empty relay's, held against the log's size as the relay left it. The queries (30 of each of ten kinds: common and rare words, prefixes, two words, phrases, `from:`, `in:#channel`, `has:code`/`has:file`, date ranges, and queries that find nothing, among them a word written only where the searcher may not read) are asked one at a time, one every 120 ms at most (the relay allows a connection ten searches a second), through the real client (`TeamClient.conversations.search`, 50 hits a page) from a load generator on CPU 0, each timed from the call to the parsed answer; ten warm-up queries (one of each kind) first, timed apart. Every hit is checked against what the searcher may read, and against the query's filters (`from:`, `in:#channel`, `has:`, dates with a day's slack).",
  '- **W8 webview**: the built chat webview (`dist/webview.js`, the real document and CSP) in headless Chromium, driven as the webview tests drive it; the bench answers as the extension would, from a conversation of 100,000 messages (a line or two mostly, some long, code, reactions, thread summaries, edits, tombstones, 100 days). Opening it sends the newest page; each `load-older` the webview posts gets the page before the id it names. Times are taken in the page: from posting the message to the task after the frame in which the first message elements exist (in brackets: when the page began to handle the message, that is when it had been copied in, and when its handler returned). The bench builds `dist/` first, as `npm run test:webview` does. The first open after the panel loaded is the figure; four more opens (switching away and back) are reported beside it. Then the reader scrolls up a screen at a time until 20 pages were loaded, and the message elements (`[data-message-id]`) are counted after every step.',
];

type Format = (v: unknown) => string;

/** The figures each round of W7 and W8 is listed by in the report's rounds table. */
export function searchWebviewRoundFigures(ms: Format, mb: Format, num: Format): Record<string, [string, (m: M) => unknown, Format][]> {
  return {
    w7: [
      ['search p50 ms', (m) => m.p50Ms, ms],
      ['search p99 ms', (m) => m.p99Ms, ms],
      ['memory for the history MB', (m) => m.memory?.growthBytes, mb],
    ],
    w8: [
      ['first screen ms', (m) => m.firstScreenMs, ms],
      ['most message elements', (m) => m.maxMessageElements, num],
    ],
  };
}

/** The W7 and W8 sections that have runs, as [title, body]. */
export function searchWebviewSections(runs: readonly TargetRun[]): [string, string][] {
  const sections: [string, string | undefined][] = [
    ['W7 Search over the stored history', searchSection(runs)],
    ['W8 Chat webview with a long conversation', webviewSection(runs)],
  ];
  return sections.filter((s): s is [string, string] => s[1] !== undefined);
}

function metricsOf(runs: readonly TargetRun[], workload: string, system: string): { label: string; m: M | undefined; error?: string }[] {
  return labelsOf(runs, workload).map((label) => {
    const run = findRun(runs, workload, label, system);
    return { label, m: run?.metrics, error: run?.error };
  });
}

const mb = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? (n / 1e6).toFixed(1) : '–');
const ms = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? millis(n) : '–');
const whole = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? count(n) : '–');

function searchSection(runs: readonly TargetRun[]): string | undefined {
  const cases = metricsOf(runs, 'w7', 'relay');
  if (cases.length === 0) return undefined;
  const out: string[] = [];
  for (const { label, m, error } of cases) {
    out.push(`### ${label}\n`);
    if (!m) {
      out.push(`No result: ${error ?? 'not run'}\n`);
      continue;
    }
    const c = m.corpus ?? {};
    out.push(
      `${whole(m.messages)} messages (${whole(c.byKind?.general)} in #general, ${whole(c.byKind?.channel)} in other channels, ${whole(c.byKind?.direct)} direct, ${whole(c.byKind?.group)} in groups; ${whole(c.readableBySearcher)} readable by the searcher; ${whole(c.withCode)} with code, ${whole(c.withFiles)} with files, ${whole(c.replies)} thread replies), generated in ${typeof c.generateSeconds === 'number' ? c.generateSeconds.toFixed(1) : '–'} s on ${c.createdAt ?? '–'}. The relay loaded them in ${typeof m.loadSeconds === 'number' ? m.loadSeconds.toFixed(1) : '–'} s. ${whole(m.count)} queries (first search after the start ${ms(m.firstQueryMs)} ms; the relay's CPU ${ms(m.relayCpuMsPerQuery)} ms a query), ${whole(m.withHits)} of them with hits, ${whole(m.refused?.length)} refused; ${whole(m.mismatched)} hits not answering their query's filters${Array.isArray(m.mismatchedExamples) && m.mismatchedExamples.length ? ` (${m.mismatchedExamples.map((x: M) => `\`${x.query}\`: ${x.problem}`).join('; ')})` : ''}.\n`,
    );
    out.push('| queries | p50 ms | p99 ms | max ms | p50 ÷ 50 ms | p99 ÷ 200 ms | median hits | with hits | with more |');
    out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    out.push(`| all | ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${ms(m.maxMs)} | ${times(m.p50Ms, 50)} | ${times(m.p99Ms, 200)} | | ${whole(m.withHits)} | |`);
    for (const kind of QUERY_KINDS) {
      const k = m.byKind?.[kind];
      if (k)
        out.push(`| ${kind} | ${ms(k.p50Ms)} | ${ms(k.p99Ms)} | ${ms(k.maxMs)} | | | ${whole(k.medianHits)} | ${whole(k.withHits)} | ${whole(k.withMore)} |`);
    }
    const mem = m.memory ?? {};
    out.push('');
    out.push(
      '| relay RSS, empty history | loaded | after the searches | peak while loading | for the history | log on disk | folder on disk | for the history ÷ log |',
    );
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    out.push(
      `| ${mb(mem.emptyRssBytes)} MB | ${mb(mem.loadedRssBytes)} MB | ${mb(mem.afterSearchRssBytes)} MB | ${mb(mem.loadPeakRssBytes)} MB | ${mb(mem.growthBytes)} MB | ${mb(mem.logBytes)} MB | ${mb(mem.folderBytes)} MB | ${times(mem.growthBytes, mem.logBytes)} (budget 1.5×) |`,
    );
    if (Array.isArray(m.slowest) && m.slowest.length) {
      out.push('\nSlowest queries (first round): ' + m.slowest.map((q: M) => `\`${q.query}\` ${ms(q.ms)} ms (${q.hits} hits)`).join('; ') + '.');
    }
    if (Array.isArray(m.refused) && m.refused.length) {
      out.push(
        '\nRefused (first round): ' +
          m.refused
            .slice(0, 10)
            .map((q: M) => `\`${q.query}\`: ${q.error}`)
            .join('; ') +
          '.',
      );
    }
    out.push('');
  }
  return out.join('\n') + '\n';
}

function webviewSection(runs: readonly TargetRun[]): string | undefined {
  const cases = metricsOf(runs, 'w8', 'webview');
  if (cases.length === 0) return undefined;
  const out: string[] = [];
  out.push(
    '| case | first screen ms (message in / handled) | ÷ 200 ms | opened again, median ms | pages back | most message elements | ÷ 500 | after | DOM elements after | scroll step p50 / p99 / max ms | long tasks (max ms) | all 100,000 in one message: ms (in / handled), elements |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { label, m, error } of cases) {
    if (!m) {
      out.push(`| ${label} | error: ${(error ?? 'not run').slice(0, 200).replace(/\|/g, '/')} |||||||||||`);
      continue;
    }
    const step = m.scrollStepMs ?? {};
    out.push(
      `| ${label} | ${ms(m.firstScreenMs)} (${ms(m.firstScreenArrivedMs)} / ${ms(m.firstScreenHandledMs)}) | ${times(m.firstScreenMs, 200)} | ${ms(m.reopenMedianMs)} | ${whole(m.pagesServed)} × ${whole(m.pageSize)} messages | ${whole(m.maxMessageElements)} | ${times(m.maxMessageElements, 500)} | ${whole(m.messageElementsAfter)} | ${whole(m.domElementsAfter)} | ${ms(step.p50)} / ${ms(step.p99)} / ${ms(step.max)} | ${whole(m.longTasks?.count)} (${ms(m.longTasks?.maxMs)}) | ${ms(m.allAtOnce?.ms)} (${ms(m.allAtOnce?.arrivedMs)} / ${ms(m.allAtOnce?.handledMs)}), ${whole(m.allAtOnce?.elements)} |`,
    );
  }
  return out.join('\n') + '\n';
}
