import * as fs from 'node:fs';
import * as path from 'node:path';
import { TeamClient } from '../../src/net/client/teamClient';
import { generateIdentity, identityFromPem } from '../../src/net/identity';
import { silentLogger } from '../../src/net/logger';
import { Relay } from '../../src/server/relay';
import { CorpusChannel, corpusPeople, CorpusSample, CorpusStats, Person, writeCorpus } from './searchCorpus';
import { BENCH_SECRET } from './systems';

/**
 * The history folder W7 searches, built once and kept in the bench's cache. Channels, their
 * members and the searching identity are made the real way, by a relay on the folder answering
 * real clients, so the team's files are whatever the relay writes today; then the messages are
 * appended to its log in the log's own format (searchCorpus.ts) and its state moved past them.
 * A run copies the folder and starts its relay on the copy (the relay rewrites its log at start).
 */

/** Bumped whenever what is generated changes, so an old cache is not searched by new queries. */
const CORPUS_VERSION = 2;
const SEED = 20_261_206;
/** The corpus ends when it is made; a relay drops what is older than its age limit, so a cache
 *  this old is made again. */
const MAX_CACHE_AGE_DAYS = 30;
export const CORPUS_SPAN_DAYS = 150;

const PUBLIC_CHANNELS = ['deploys', 'frontend', 'backend', 'incidents', 'random', 'releases', 'design', 'infra', 'qa', 'support', 'mobile', 'data'];

export interface SearchHistoryMeta {
  version: number;
  seed: number;
  createdAt: number;
  epoch: string;
  lastSeq: number;
  searcher: Person & { pem: string };
  channels: CorpusChannel[];
  /** The conversation keys the searcher may not read that messages went to. */
  unreadableChannelKeys: string[];
  secretWord: string;
  stats: Omit<CorpusStats, 'samples' | 'vocabulary'>;
  samples: CorpusSample[];
  /** How long the messages took to generate (the team setup before them not included). */
  generateSeconds: number;
}

/** The cached history for `messages` messages (made first when missing or stale): its folder and what is in it. */
export async function ensureSearchHistory(
  cacheRoot: string,
  messages: number,
  log: (line: string) => void,
): Promise<{ dir: string; meta: SearchHistoryMeta; vocabulary: string[] }> {
  const dir = path.join(cacheRoot, `search-v${CORPUS_VERSION}-${messages}`);
  const metaFile = path.join(dir, 'bench-meta.json');
  const vocabFile = path.join(dir, 'bench-vocabulary.txt');
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as SearchHistoryMeta;
    if (meta.version === CORPUS_VERSION && Date.now() - meta.createdAt < MAX_CACHE_AGE_DAYS * 86_400_000) {
      return { dir, meta, vocabulary: fs.readFileSync(vocabFile, 'utf8').split('\n') };
    }
  } catch {
    // Not made yet (or half made): made below.
  }
  const building = `${dir}.building`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(building, { recursive: true });
  log(`making a history of ${messages.toLocaleString('en-US')} messages in ${path.relative(process.cwd(), dir)} (kept for ${MAX_CACHE_AGE_DAYS} days)`);
  const { meta, vocabulary } = await build(building, messages);
  fs.writeFileSync(path.join(building, 'bench-meta.json'), JSON.stringify(meta));
  fs.writeFileSync(path.join(building, 'bench-vocabulary.txt'), vocabulary.join('\n'));
  fs.renameSync(building, dir);
  log(`made it in ${meta.generateSeconds.toFixed(1)} s of generation: ${(meta.stats.bytes / 1e6).toFixed(0)} MB of log`);
  return { dir, meta, vocabulary };
}

async function build(dir: string, messages: number): Promise<{ meta: SearchHistoryMeta; vocabulary: string[] }> {
  const endTs = Date.now();
  const epoch = `bench-search-${CORPUS_VERSION}`;
  const team = corpusPeople(402, SEED);
  const searcherIdentity = generateIdentity();
  const outsiderIdentity = generateIdentity();
  const searcher = { clientId: searcherIdentity.clientId, name: team[0].name, pem: searcherIdentity.exportPrivateKey() };
  const outsider = { clientId: outsiderIdentity.clientId, name: team[1].name };
  const people = team.slice(2);
  // The relay knows everyone who writes, as it would have after months (so from: finds them and
  // channels can list them as members): its peer directory and state, for an epoch of our own.
  fs.writeFileSync(path.join(dir, 'relay-state.json'), JSON.stringify({ epoch, seq: 0 }) + '\n');
  const known = [outsider, ...people].map((p) => ({ clientId: p.clientId, name: p.name, machine: 'bench', lastSeen: endTs, deliveredSeq: 0 }));
  fs.writeFileSync(path.join(dir, 'peers.json'), JSON.stringify({ epoch, peers: known }));

  const channels = await makeChannels(dir, searcher, outsider, outsiderIdentity.exportPrivateKey(), people);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'relay-state.json'), 'utf8')) as { epoch: string; seq?: number };
  if (state.epoch !== epoch) throw new Error(`the relay changed the history's epoch (${state.epoch}): it did not load the state written for it`);
  const secretWord = 'quuxplorative';
  const started = performance.now();
  const stats = writeCorpus(path.join(dir, 'history.jsonl'), {
    messages,
    seed: SEED,
    epoch,
    firstSeq: (state.seq ?? 0) + 1,
    endTs,
    spanDays: CORPUS_SPAN_DAYS,
    searcher,
    people,
    channels,
    secretWord,
  });
  const generateSeconds = (performance.now() - started) / 1000;
  fs.writeFileSync(path.join(dir, 'relay-state.json'), JSON.stringify({ epoch, seq: stats.lastSeq }) + '\n');
  const { samples, vocabulary, ...rest } = stats;
  return {
    meta: {
      version: CORPUS_VERSION,
      seed: SEED,
      createdAt: endTs,
      epoch,
      lastSeq: stats.lastSeq,
      searcher,
      channels,
      unreadableChannelKeys: channels.filter((c) => !c.readable).map((c) => `#${c.id}`),
      secretWord,
      stats: rest,
      samples,
      generateSeconds,
    },
    vocabulary,
  };
}

/**
 * Starts a relay on the folder and has the searcher create the public channels (most people
 * in them) and a private one it is in, and someone else a private one it is not in.
 */
async function makeChannels(
  dir: string,
  searcher: Person & { pem: string },
  outsider: Person,
  outsiderPem: string,
  people: Person[],
): Promise<CorpusChannel[]> {
  const relay = new Relay({ host: '127.0.0.1', port: 0, auth: { secret: BENCH_SECRET }, tls: false, historyDir: dir, logger: silentLogger });
  const { port } = await relay.start();
  const connect = async (who: Person, pem: string) => {
    const client = new TeamClient({
      host: '127.0.0.1',
      port,
      name: who.name,
      machine: 'bench',
      identity: identityFromPem(pem),
      secret: BENCH_SECRET,
      tls: false,
      reconnect: false,
      logger: silentLogger,
    });
    await client.connect();
    return client;
  };
  const me = await connect(searcher, searcher.pem);
  const other = await connect(outsider, outsiderPem);
  try {
    const channels: CorpusChannel[] = [{ id: 'general', name: 'general', private: false, readable: true, weight: 0 }];
    for (const [i, name] of PUBLIC_CHANNELS.entries()) {
      const created = await me.conversations.create(name, { topic: `everything ${name}` });
      const members = people.filter((_, k) => (k + i) % 5 !== 0).map((p) => p.clientId);
      for (let k = 0; k < members.length; k += 1000) await me.conversations.add(created.id, members.slice(k, k + 1000));
      // Busy channels and quiet ones: the first few take most of the channel messages.
      channels.push({ id: created.id, name, private: false, readable: true, weight: 1 / (i + 1) });
    }
    const leads = people.slice(0, 12);
    const leadsChannel = await me.conversations.create('leads', { private: true, members: leads.map((p) => p.clientId) });
    channels.push({
      id: leadsChannel.id,
      name: 'leads',
      private: true,
      readable: true,
      weight: 0.3,
      writers: [{ clientId: searcher.clientId, name: searcher.name }, ...leads],
    });
    const insiders = people.slice(20, 30);
    const hidden = await other.conversations.create('skunkworks', { private: true, members: insiders.map((p) => p.clientId) });
    channels.push({ id: hidden.id, name: 'skunkworks', private: true, readable: false, weight: 0.3, writers: [outsider, ...insiders] });
    return channels;
  } finally {
    await me.close();
    await other.close();
    await relay.stop();
  }
}
