/**
 * `node out-bench/historyFlood.js [--held=N] [--rounds=R] [--appends=F] [--only=NAME,…]` (built
 * by `npm run bench`, or `tsc -p bench && node bench/build.js`): the longest
 * pause one message costs the relay's history once it holds many (issue 26's "large-retention
 * flood tail"). A relay with a history folder keeps 1,000,000 messages: each message past that
 * drops the oldest, and every so often the search index sheds what retention dropped. Done in
 * one go, that held the event loop for everyone for tens of milliseconds.
 *
 * No sockets: a MessageHistory in memory, filled with `held` messages of W7's corpus generator
 * (their words indexed, as a steady relay's are), then sent F × `held` more (2.5: the index sheds
 * what was dropped about twice), one append at a time, each timed. The machine is shared, and a
 * neighbour's burst lands on some append of every round: so each scenario runs `rounds` times
 * over the very same messages, and an append's pause is its shortest over the rounds. The
 * history's own pauses come at the same append every round (it is deterministic) and stay; a
 * neighbour's do not. Scenarios:
 *   steady   the words of every 256 messages indexed as they come (a relay that keeps up);
 *   flood    nothing indexed while the messages pour in (the relay's flood rule), one search
 *            after them (its catch-up is a search's cost, reported apart);
 *   unique   like steady, but each message brings a word never seen before (W2's texts): the
 *            dictionary turns over as fast as the records.
 * Prints one JSON line per scenario, then a table.
 */
import { silentLogger } from '../src/net/logger';
import { HistoryEntry, MessageHistory } from '../src/server/history';
import { ParsedSearch } from '../src/server/searchQuery';
import { corpusPeople, generate, type CorpusChannel } from './lib/searchCorpus';

interface FloodOptions {
  held: number;
  rounds: number;
  /** Appends measured, as a multiple of `held`. */
  appends: number;
  only: Scenario[];
}

interface ScenarioFigures {
  scenario: Scenario;
  held: number;
  appends: number;
  rounds: number;
  /** Of each append's shortest time over the rounds (ms): the longest, and percentiles. */
  maxMs: number;
  p9999Ms: number;
  p999Ms: number;
  /** Each round's longest append, as it came (ms). */
  roundMaxMs: number[];
  /** Mean time per append, the fastest round (µs). */
  meanUs: number;
  /** The longest catch-up of the words (a search's first step), shortest over the rounds (ms). */
  catchUpMs: number;
}

const SCENARIOS = ['steady', 'flood', 'unique'] as const;
type Scenario = (typeof SCENARIOS)[number];
const CATCH_UP_EVERY = 256;
/** A word no message has: the search that catches the index up finds nothing after it. */
const NOTHING: ParsedSearch = { words: ['zzqqxxnothing'], phrases: [] };
const POOL_MAX = 200_000;

function parseArgs(argv: string[]): FloodOptions {
  const options: FloodOptions = { held: 100_000, rounds: 3, appends: 2.5, only: [...SCENARIOS] };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--/, '').split('=');
    if (key === 'held') options.held = Number(value);
    else if (key === 'rounds') options.rounds = Number(value);
    else if (key === 'appends') options.appends = Number(value);
    else if (key === 'only') options.only = value.split(',') as Scenario[];
    else throw new Error(`historyFlood: unknown option ${arg}`);
  }
  if (!(options.held >= 1000)) throw new Error('historyFlood: --held must be at least 1000');
  if (!(options.rounds >= 1) || !(options.appends > 0)) throw new Error('historyFlood: --rounds and --appends must be positive');
  for (const scenario of options.only) if (!SCENARIOS.includes(scenario)) throw new Error(`historyFlood: no scenario ${scenario}`);
  return options;
}

/** Corpus messages, reused with fresh seqs (the corpus generator is slower than the history). */
function messagePool(count: number): HistoryEntry[] {
  const people = corpusPeople(402, 7);
  const channels: CorpusChannel[] = [
    { id: 'general', name: 'general', private: false, readable: true, weight: 0 },
    ...['deploys', 'frontend', 'backend', 'incidents', 'random'].map((name, i) => ({
      id: `c${i}${name}`,
      name,
      private: false,
      readable: true,
      weight: 1 / (i + 1),
    })),
  ];
  const pool: HistoryEntry[] = [];
  let rest = '';
  const plan = {
    messages: count,
    seed: 26,
    epoch: 'flood',
    firstSeq: 1,
    endTs: Date.now(),
    spanDays: 30,
    searcher: people[0],
    people: people.slice(1),
    channels,
    secretWord: 'zzsecret',
  };
  generate(plan, (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) pool.push(JSON.parse(line) as HistoryEntry);
  });
  return pool;
}

/** One round: each measured append's time (ms), and the longest catch-up. */
function runRound(scenario: Scenario, options: FloodOptions, pool: HistoryEntry[]): { times: Float64Array; catchUpMs: number } {
  const { held } = options;
  const history = new MessageHistory({ logger: silentLogger, maxEntries: held, maxAgeMs: 365 * 24 * 3600 * 1000, maxBytes: 4 * 1024 ** 3 });
  let seq = 0;
  const next = (): HistoryEntry => {
    const base = pool[seq % pool.length];
    seq++;
    const text = scenario === 'unique' ? `${base.text} u${seq.toString(36)}x` : base.text;
    return { ...base, seq, id: `flood-${seq}`, ts: Date.now(), ref: `r${seq}`, text, thread: undefined };
  };
  const catchUp = (): number => {
    const started = performance.now();
    history.search(NOTHING, () => true, 1);
    return performance.now() - started;
  };
  // Full, words indexed: the relay as a flood finds it.
  for (let i = 0; i < held; i++) {
    history.append(next());
    if (i % CATCH_UP_EVERY === CATCH_UP_EVERY - 1) catchUp();
  }
  catchUp();
  const times = new Float64Array(Math.round(options.appends * held));
  let catchUpMs = 0;
  for (let i = 0; i < times.length; i++) {
    const entry = next();
    const started = performance.now();
    history.append(entry);
    times[i] = performance.now() - started;
    if (scenario !== 'flood' && i % CATCH_UP_EVERY === CATCH_UP_EVERY - 1) catchUpMs = Math.max(catchUpMs, catchUp());
  }
  if (scenario === 'flood') catchUpMs = catchUp();
  history.close();
  return { times, catchUpMs };
}

function runScenario(scenario: Scenario, options: FloodOptions, pool: HistoryEntry[]): ScenarioFigures {
  let shortest: Float64Array | undefined;
  const roundMaxMs: number[] = [];
  let meanUs = Infinity;
  let catchUpMs = Infinity;
  for (let round = 0; round < options.rounds; round++) {
    const { times, catchUpMs: roundCatchUp } = runRound(scenario, options, pool);
    if (!shortest) shortest = times;
    else for (let i = 0; i < times.length; i++) shortest[i] = Math.min(shortest[i], times[i]);
    roundMaxMs.push(times.reduce((max, t) => Math.max(max, t), 0));
    meanUs = Math.min(meanUs, (1000 * times.reduce((sum, t) => sum + t, 0)) / times.length);
    catchUpMs = Math.min(catchUpMs, roundCatchUp);
  }
  const sorted = (shortest as Float64Array).slice().sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return {
    scenario,
    held: options.held,
    appends: sorted.length,
    rounds: options.rounds,
    maxMs: sorted[sorted.length - 1],
    p9999Ms: at(0.9999),
    p999Ms: at(0.999),
    roundMaxMs,
    meanUs,
    catchUpMs,
  };
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const pool = messagePool(Math.min(options.held, POOL_MAX));
  const results: ScenarioFigures[] = [];
  for (const scenario of options.only) {
    const figures = runScenario(scenario, options, pool);
    process.stdout.write(JSON.stringify(figures) + '\n');
    results.push(figures);
  }
  const ms = (x: number) => x.toFixed(2).padStart(8);
  process.stdout.write(`\n${options.held} held, ${options.rounds} rounds; each append's shortest time over the rounds (ms):\n`);
  process.stdout.write('scenario       max   p99.99    p99.9  mean µs  catch-up  max of each round\n');
  for (const r of results) {
    const rounds = r.roundMaxMs.map((x) => x.toFixed(1)).join(' / ');
    process.stdout.write(`${r.scenario.padEnd(9)} ${ms(r.maxMs)} ${ms(r.p9999Ms)} ${ms(r.p999Ms)} ${ms(r.meanUs)} ${ms(r.catchUpMs)}  ${rounds}\n`);
  }
}

main();
