import * as fs from 'node:fs';
import { peopleNames, vocabulary } from './corpusWords';
import { Prng, ZipfSampler } from './prng';

/**
 * The search bench's history: a team's chat of many months, written straight into the relay's
 * log format (history.jsonl, one message record a line, as history.ts writes and loads them),
 * from a seed. Words follow Zipf's law over a 50,000-word vocabulary; some messages share code
 * (from an editor, with a code reference, or pasted between fences), name files or mention
 * someone; replies sit in threads; messages go to #general, public and private channels, direct
 * and group conversations, from senders of whom a few write most. While writing it keeps a
 * sample of what the searching identity may read, for queries that find something.
 */

export interface Person {
  clientId: string;
  name: string;
}

export interface CorpusChannel {
  /** The channel id (`to` is `#<id>`); 'general' is written as `to: 'all'`. */
  id: string;
  name: string;
  private: boolean;
  /** Whether the searching identity may read it. */
  readable: boolean;
  /** Its share of the channel messages (relative). */
  weight: number;
  /** Who writes in it, when only some may (a private channel's members); anyone otherwise. */
  writers?: Person[];
}

export interface CorpusPlan {
  messages: number;
  seed: number;
  epoch: string;
  /** The seq of the first message written (one above what the log holds already). */
  firstSeq: number;
  /** Messages are spread evenly (with jitter) over `spanDays` before `endTs`. */
  endTs: number;
  spanDays: number;
  searcher: Person;
  /** Everyone else who writes. */
  people: Person[];
  channels: CorpusChannel[];
  /** A word written only in conversations the searcher may not read: searching it must find nothing. */
  secretWord: string;
}

/** A message the searcher may read, kept as a seed for queries. */
export interface CorpusSample {
  conv: string;
  from: string;
  ts: number;
  words: string[];
}

export interface CorpusStats {
  messages: number;
  lastSeq: number;
  bytes: number;
  firstTs: number;
  lastTs: number;
  readableBySearcher: number;
  withCode: number;
  withFiles: number;
  replies: number;
  byKind: Record<'general' | 'channel' | 'direct' | 'group', number>;
  samples: CorpusSample[];
  /** The vocabulary's words by rank, for queries of common and rare words. */
  vocabulary: string[];
}

const VOCABULARY_SIZE = 50_000;
/** Zipf exponents: words (text is a little steeper than 1) and senders (a few write most). */
const WORD_SKEW = 1.07;
const SENDER_SKEW = 0.8;
/** One sample per this many readable messages. */
const SAMPLE_EVERY = 1500;

const LANGUAGES = [
  { language: 'typescript', ext: 'ts', fence: 'ts' },
  { language: 'python', ext: 'py', fence: 'python' },
  { language: 'go', ext: 'go', fence: 'go' },
  { language: 'shellscript', ext: 'sh', fence: 'sh' },
] as const;
const FILE_KINDS = ['log', 'txt', 'pdf', 'png', 'zip', 'json', 'csv', 'tar.gz'];

/** Writes `plan.messages` log lines to `file` (appending) and says what it wrote. */
export function writeCorpus(file: string, plan: CorpusPlan): CorpusStats {
  const fd = fs.openSync(file, 'a');
  try {
    return generate(plan, (chunk) => fs.writeSync(fd, chunk));
  } finally {
    fs.closeSync(fd);
  }
}

/** Generates the log lines of `plan` in chunks handed to `write` (tests collect them). */
export function generate(plan: CorpusPlan, write: (chunk: string) => void): CorpusStats {
  const prng = new Prng(plan.seed);
  const words = vocabulary(VOCABULARY_SIZE, plan.seed ^ 0x5eed);
  const zipf = new ZipfSampler(words.length, WORD_SKEW);
  const everyone = [plan.searcher, ...plan.people];
  const senders = new ZipfSampler(plan.people.length, SENDER_SKEW);
  const conversations = new Conversations(plan, prng);
  const stats: CorpusStats = {
    messages: 0,
    lastSeq: plan.firstSeq - 1,
    bytes: 0,
    firstTs: 0,
    lastTs: 0,
    readableBySearcher: 0,
    withCode: 0,
    withFiles: 0,
    replies: 0,
    byKind: { general: 0, channel: 0, direct: 0, group: 0 },
    samples: [],
    vocabulary: words,
  };
  const spanMs = plan.spanDays * 24 * 3600 * 1000;
  const startTs = plan.endTs - spanMs;
  const step = spanMs / plan.messages;
  const text = new TextMaker(prng, words, zipf, everyone);
  let lines: string[] = [];
  const flush = () => {
    const chunk = lines.join('');
    stats.bytes += Buffer.byteLength(chunk);
    write(chunk);
    lines = [];
  };
  let lastTs = startTs;
  let readable = 0;
  for (let i = 0; i < plan.messages; i++) {
    const seq = plan.firstSeq + i;
    // Even spread with jitter, never going back in time (the log is in seq order).
    lastTs = Math.max(lastTs, Math.round(startTs + i * step + (prng.next() - 0.5) * step));
    const conv = conversations.next();
    const from = conv.members ? prng.pick(conv.members) : !conv.secret && prng.chance(0.03) ? plan.searcher : plan.people[senders.sample(prng)];
    const thread = prng.chance(0.08) ? conv.recentParent(prng) : undefined;
    if (thread === undefined) conv.remember(seq);
    const body = text.message(conv.secret ? plan.secretWord : undefined);
    let line =
      `{"ref":"${refOf(seq)}","id":"${plan.epoch}-${seq}","seq":${seq},"ts":${lastTs},"from":"${from.clientId}","fromName":${JSON.stringify(from.name)}` +
      `,"to":${conv.to === 'all' ? '"all"' : typeof conv.to === 'string' ? `"${conv.to}"` : JSON.stringify(conv.to(from))}` +
      `,"text":${JSON.stringify(body.text)}`;
    if (body.code) line += `,"code":${JSON.stringify(body.code)}`;
    if (thread !== undefined) line += `,"thread":"${plan.epoch}-${thread}"`;
    if (body.files) line += `,"files":${JSON.stringify(body.files)}`;
    lines.push(line + '}\n');
    if (lines.length === 20_000) flush();
    stats.byKind[conv.kind]++;
    if (body.code) stats.withCode++;
    if (body.fenced) stats.withCode++;
    if (body.files) stats.withFiles++;
    if (thread !== undefined) stats.replies++;
    if (conv.readableBy(from, plan.searcher)) {
      stats.readableBySearcher++;
      if (++readable % SAMPLE_EVERY === 0) stats.samples.push({ conv: conv.key(from), from: from.name, ts: lastTs, words: body.words });
    }
  }
  if (lines.length) flush();
  stats.messages = plan.messages;
  stats.lastSeq = plan.firstSeq + plan.messages - 1;
  stats.firstTs = startTs;
  stats.lastTs = lastTs;
  return stats;
}

/** A sender's ref as its client makes them (16 base64url characters), unique per seq. */
function refOf(seq: number): string {
  return ('r' + seq.toString(36)).padStart(16, '0');
}

interface Conversation {
  kind: 'general' | 'channel' | 'direct' | 'group';
  /** 'all', '#<channel id>', or the targets of a message from `from`. */
  to: 'all' | string | ((from: Person) => string[]);
  /** Who writes in it, when only some do (direct, group and private conversations). */
  members?: Person[];
  /** Only people the searcher is not among write here (the secret word goes here). */
  secret: boolean;
  key(from: Person): string;
  readableBy(from: Person, searcher: Person): boolean;
  remember(seq: number): void;
  recentParent(prng: Prng): number | undefined;
}

/** The conversations of the team and how often each is written in. */
class Conversations {
  private readonly all: Conversation[] = [];
  private readonly cumulative: number[] = [];
  private total = 0;

  constructor(
    plan: CorpusPlan,
    private readonly prng: Prng,
  ) {
    const add = (c: Omit<Conversation, 'remember' | 'recentParent'>, weight: number) => {
      const recent: number[] = [];
      this.all.push({
        ...c,
        remember: (seq) => {
          recent.push(seq);
          if (recent.length > 64) recent.shift();
        },
        recentParent: (p) => (recent.length ? recent[recent.length - 1 - Math.floor(p.next() * p.next() * recent.length)] : undefined),
      });
      this.cumulative.push((this.total += weight));
    };
    // Channels: 28 % of messages in #general, the rest of the channels' 56 % by weight.
    const others = plan.channels.filter((c) => c.id !== 'general');
    const channelWeight = others.reduce((s, c) => s + c.weight, 0);
    add({ kind: 'general', to: 'all', secret: false, key: () => '#general', readableBy: () => true }, 28);
    for (const c of others) {
      add(
        { kind: 'channel', to: `#${c.id}`, members: c.writers, secret: !c.readable, key: () => `#${c.id}`, readableBy: () => c.readable },
        (56 * c.weight) / channelWeight,
      );
    }
    // Direct (12 %) and group (4 %) conversations: the same pairs and groups come back, as people
    // talk to the same few; the searcher is in about a quarter of them.
    const people = plan.people;
    const pick = () => (prng.chance(0.25) ? plan.searcher : prng.pick(people));
    const directs = 2000;
    for (let d = 0; d < directs; d++) {
      const a = pick();
      let b = prng.pick(people);
      while (b === a) b = prng.pick(people);
      add(this.people('direct', [a, b]), 12 / directs);
    }
    const groups = 200;
    for (let g = 0; g < groups; g++) {
      const members = new Set<Person>([pick()]);
      const size = prng.int(3, 6);
      while (members.size < size) members.add(prng.pick(people));
      add(this.people('group', [...members]), 4 / groups);
    }
  }

  next(): Conversation {
    const u = this.prng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.all[lo];
  }

  private people(kind: 'direct' | 'group', members: Person[]): Omit<Conversation, 'remember' | 'recentParent'> {
    const ids = members.map((m) => m.clientId).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const key = `@${ids.join(',')}`;
    return {
      kind,
      to: (from) => members.filter((m) => m !== from).map((m) => m.clientId),
      members,
      secret: false,
      key: () => key,
      readableBy: (_from, searcher) => members.includes(searcher),
    };
  }
}

/** Message texts: prose of Zipf words, now and then with code, a file, a mention or a link. */
class TextMaker {
  constructor(
    private readonly prng: Prng,
    private readonly words: string[],
    private readonly zipf: ZipfSampler,
    private readonly people: Person[],
  ) {}

  message(secretWord: string | undefined): {
    text: string;
    words: string[];
    code?: { path: string; startLine: number; endLine: number; language: string };
    fenced?: boolean;
    files?: { name: string; size: number }[];
  } {
    const { prng } = this;
    const words = this.prose();
    if (secretWord && prng.chance(0.05)) words.splice(prng.int(0, words.length), 0, secretWord);
    let text = this.sentence(words);
    if (prng.chance(0.03)) text = `@${prng.pick(this.people).name} ${text}`;
    if (prng.chance(0.02)) text += ` https://git.example.com/team/${this.word()}/pull/${prng.int(1, 9999)}`;
    const roll = prng.next();
    if (roll < 0.03) {
      // Shared from an editor: the text is the excerpt, the code reference says where from.
      const lang = prng.pick(LANGUAGES);
      const lines = this.code(lang.language, prng.int(2, 14));
      const startLine = prng.int(1, 900);
      return {
        text: lines.join('\n'),
        words,
        code: { path: `src/${this.word()}/${this.identifier()}.${lang.ext}`, startLine, endLine: startLine + lines.length - 1, language: lang.language },
      };
    }
    if (roll < 0.05) {
      const lang = prng.pick(LANGUAGES);
      return { text: `${text}\n\`\`\`${lang.fence}\n${this.code(lang.language, prng.int(1, 8)).join('\n')}\n\`\`\``, words, fenced: true };
    }
    if (roll < 0.06) {
      const files = Array.from({ length: prng.chance(0.8) ? 1 : prng.int(2, 4) }, () => ({
        name: `${this.word()}-${this.word()}.${prng.pick(FILE_KINDS)}`,
        size: prng.int(200, 50_000_000),
      }));
      return { text, words, files };
    }
    return { text, words };
  }

  private word(): string {
    return this.words[this.zipf.sample(this.prng)];
  }

  /** 3–80 words, most messages short. */
  private prose(): string[] {
    const { prng } = this;
    const r = prng.next();
    const n = r < 0.6 ? prng.int(3, 12) : r < 0.9 ? prng.int(12, 30) : prng.int(30, 80);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.word());
    return out;
  }

  private sentence(words: string[]): string {
    const { prng } = this;
    let text = '';
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      text += i === 0 ? (prng.chance(0.5) ? w[0].toUpperCase() + w.slice(1) : w) : (prng.chance(0.06) ? ', ' : ' ') + w;
    }
    return text + (prng.chance(0.5) ? '' : prng.pick(['.', '?', '!', '...']));
  }

  private identifier(): string {
    const a = this.word();
    const b = this.word();
    return a + b[0].toUpperCase() + b.slice(1);
  }

  private code(language: string, count: number): string[] {
    const { prng } = this;
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.identifier();
      const other = this.identifier();
      const n = prng.int(0, 500);
      switch (language) {
        case 'typescript':
          out.push(
            prng.pick([
              `const ${id} = await this.${other}(${n});`,
              `if (${id}.length > ${n}) return ${other}(${id});`,
              `export function ${id}(${other}: string): number {`,
              `  ${id}.set('${this.word()}', ${other});`,
              `}`,
            ]),
          );
          break;
        case 'python':
          out.push(prng.pick([`def ${id}(${other}):`, `    return ${other}[${n}]`, `${id} = ${other}.get("${this.word()}", ${n})`, `for ${id} in ${other}:`]));
          break;
        case 'go':
          out.push(
            prng.pick([`func ${id}(${other} int) error {`, `\tif err := ${other}(); err != nil {`, `\t\treturn fmt.Errorf("${this.word()}: %w", err)`, `}`]),
          );
          break;
        default:
          out.push(prng.pick([`${this.word()} --${this.word()}=${n} ./${id}`, `export ${id.toUpperCase()}=${n}`, `grep -rn "${other}" src/`]));
      }
    }
    return out;
  }
}

/** The team of the corpus: `count` people with made-up but well-formed client ids. */
export function corpusPeople(count: number, seed: number): Person[] {
  const prng = new Prng(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return peopleNames(count).map((name) => ({
    name,
    clientId: Array.from({ length: 22 }, () => alphabet[Math.floor(prng.next() * 64)]).join(''),
  }));
}
