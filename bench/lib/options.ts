/**
 * The bench's command line. A full run takes twenty minutes and rewrites bench/results.json, so
 * a misspelt option must stop the bench with a message, never be ignored into a full run.
 */
import { parseArgs } from 'node:util';

export const WORKLOADS = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10'] as const;
export const SYSTEMS = ['direct', 'pipe', 'relay', 'mosquitto', 'aedes', 'nats'] as const;
export type BenchSystem = (typeof SYSTEMS)[number];

export const USAGE = `Usage: npm run bench -- [options]

  --only=w1,w3          run only these workloads (${WORKLOADS.join(', ')})
  --systems=relay,...   run only these systems (${SYSTEMS.join(', ')})
  --label=TEXT          run only the cases whose label contains TEXT
  --rounds=N            rounds for W1, W2, W4, W5, W6, W7, W8 and W9 (default 3; each figure is the median of its rounds)
  --search-messages=N   messages in W7's history (default 1,000,000; generated once, kept in bench/tmp/cache)
  --out=DIR             write results.json and RESULTS.md to DIR instead of bench/
  --relay-bundle=FILE   run the relay from another build of bench/sut.ts (e.g. of an older commit)
  --profile             start the relay with --cpu-prof (profiles land in bench/tmp/prof)
  --profile-loadgen     profile the load generator too
  --no-pin              do not pin processes to CPUs with taskset
  --chat-priority=P     W4's chat load generator at nice:N (e.g. nice:-10) or fifo:N (SCHED_FIFO; default fifo:1)
  --chat-pace=spin|nap  how W4's chat load generator waits for its next send (default nap)
  --render              only write RESULTS.md again from the results.json in the output folder
  --help                print this and exit
`;

export interface BenchOptions {
  help: boolean;
  only?: string[];
  systems?: BenchSystem[];
  label?: string;
  rounds: number;
  searchMessages: number;
  out?: string;
  relayBundle?: string;
  profile: boolean;
  profileLoadgen: boolean;
  pin: boolean;
  chatPriority: string;
  chatPace: 'spin' | 'nap';
  render: boolean;
}

/** What `parseArgs` accepts; USAGE documents each of them (a test holds the two together). */
export const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  only: { type: 'string' },
  systems: { type: 'string' },
  label: { type: 'string' },
  rounds: { type: 'string' },
  'search-messages': { type: 'string' },
  out: { type: 'string' },
  'relay-bundle': { type: 'string' },
  profile: { type: 'boolean' },
  'profile-loadgen': { type: 'boolean' },
  'no-pin': { type: 'boolean' },
  'chat-priority': { type: 'string' },
  'chat-pace': { type: 'string' },
  render: { type: 'boolean' },
} as const;

/** A command line the bench cannot run; `message` says which option and why. */
export class BenchUsageError extends Error {
  readonly code = 'BENCH_USAGE';
}

function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new BenchUsageError(`--${name} needs at least one of: ${allowed.join(', ')}`);
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length > 0) throw new BenchUsageError(`--${name}: unknown ${unknown.map((s) => JSON.stringify(s)).join(', ')} (known: ${allowed.join(', ')})`);
  return items as T[];
}

function text(name: string, value: string | undefined): string | undefined {
  if (value === '') throw new BenchUsageError(`--${name} needs a value`);
  return value;
}

/** Reads the bench's arguments (without `node` and the script); throws BenchUsageError on anything it does not know. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: OPTIONS,
    }));
  } catch (err) {
    // parseArgs' own messages name the option ("Unknown option '--hepl'"); keep them, drop its hint
    // about '--' that does not apply here.
    throw new BenchUsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }

  let rounds = 3;
  if (values.rounds !== undefined) {
    rounds = Number(values.rounds);
    if (!/^\d+$/.test(values.rounds) || rounds < 1 || rounds > 100)
      throw new BenchUsageError(`--rounds must be a whole number from 1 to 100, not ${JSON.stringify(values.rounds)}`);
  }
  let searchMessages = 1_000_000;
  if (values['search-messages'] !== undefined) {
    searchMessages = Number(values['search-messages']);
    if (!/^\d+$/.test(values['search-messages']) || searchMessages < 10_000 || searchMessages > 10_000_000)
      throw new BenchUsageError(`--search-messages must be a whole number from 10000 to 10000000, not ${JSON.stringify(values['search-messages'])}`);
  }
  const chatPace = values['chat-pace'] ?? 'nap';
  if (chatPace !== 'spin' && chatPace !== 'nap') throw new BenchUsageError(`--chat-pace must be spin or nap, not ${JSON.stringify(chatPace)}`);
  const chatPriority = values['chat-priority'] ?? 'fifo:1';
  if (!/^(nice:-?\d+|fifo:\d+)$/.test(chatPriority)) throw new BenchUsageError(`--chat-priority must be nice:N or fifo:N, not ${JSON.stringify(chatPriority)}`);

  return {
    help: values.help ?? false,
    only: list('only', values.only, WORKLOADS),
    systems: list('systems', values.systems, SYSTEMS),
    label: text('label', values.label),
    rounds,
    searchMessages,
    out: text('out', values.out),
    relayBundle: text('relay-bundle', values['relay-bundle']),
    profile: values.profile ?? false,
    profileLoadgen: values['profile-loadgen'] ?? false,
    pin: !(values['no-pin'] ?? false),
    chatPriority,
    chatPace,
    render: values.render ?? false,
  };
}
