import { channelKey, ConversationLimits, peopleKey } from '../net/protocol/conversationKeys';
import { conversationName, historyLine, messageEvent, messageFields } from './chatEvents';
import { findChannel, requireMember, withClient } from './clientSetup';
import { clientOptions, parse, parsePositiveInt, UsageError } from './options';
import { safeForTerminal } from './terminalText';

/**
 * `team-messenger history` and `search`: the relay is the history, so both ask it. History is
 * one page of a channel or a direct conversation, oldest first; search lists what this identity
 * may read that matches, newest first. Each message is one line (one JSON object with --json),
 * then a summary saying how to ask for more.
 */

/** `history (--channel NAME | --to NAME[,NAME...]) [--limit N] [--before SEQ] [--thread ID]` */
export async function historyCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, {
    ...clientOptions,
    channel: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    before: { type: 'string' },
    thread: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if ((values.channel === undefined) === (values.to === undefined)) throw new UsageError('say which conversation: --channel NAME or --to NAME[,NAME...]');
  const people = values.to
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (people?.length === 0) throw new UsageError('--to names nobody');
  if (values.thread !== undefined && !values.thread) throw new UsageError("--thread needs the id of the thread's first message");
  const limit = parseLimit(values.limit, 50, ConversationLimits.pageMessages);
  const before = values.before === undefined ? undefined : parsePositiveInt('before', values.before, 0);

  return withClient(values, env, async (client) => {
    let conv: string;
    if (people) {
      conv = peopleKey([client.clientId, ...(await Promise.all(people.map((p) => client.resolvePeer(p))))]);
    } else {
      const channel = await findChannel(client, values.channel ?? '');
      requireMember(client, channel);
      conv = channelKey(channel.id);
    }
    const page = await client.conversations.history(conv, {
      limit,
      ...(before !== undefined ? { before } : {}),
      ...(values.thread !== undefined ? { thread: values.thread } : {}),
    });
    const where = conversationName(client, conv);
    const oldest = page.messages[0]?.seq;
    if (values.json) {
      for (const message of page.messages) process.stdout.write(JSON.stringify(messageEvent(client, message)) + '\n');
      const summary = { type: 'history', conv, in: where, count: page.messages.length, older: page.older, newer: page.newer };
      process.stdout.write(JSON.stringify(page.older && oldest !== undefined ? { ...summary, before: oldest } : summary) + '\n');
      return 0;
    }
    if (page.messages.length === 0) process.stdout.write(safeForTerminal(`no messages in ${where}`) + '\n');
    for (const message of page.messages) process.stdout.write(safeForTerminal(historyLine(message)) + '\n');
    if (page.older && oldest !== undefined) process.stdout.write(`(older messages: add --before ${oldest})\n`);
    return 0;
  });
}

/** `search QUERY... [--limit N] [--before SEQ]` */
export async function searchCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, { ...clientOptions, limit: { type: 'string' }, before: { type: 'string' } });
  const query = positionals.join(' ').trim();
  if (!query) throw new UsageError('say what to search for: search QUERY (words, "a phrase", from:NAME, in:#channel, has:file, has:code, after:YYYY-MM-DD)');
  if (query.length > ConversationLimits.queryChars) throw new UsageError(`a search is at most ${ConversationLimits.queryChars} characters`);
  const limit = parseLimit(values.limit, 20, ConversationLimits.searchResults);
  const before = values.before === undefined ? undefined : parsePositiveInt('before', values.before, 0);

  return withClient(values, env, async (client) => {
    const found = await client.conversations.search(query, { limit, ...(before !== undefined ? { before } : {}) });
    const last = found.hits.at(-1)?.message.seq;
    if (values.json) {
      for (const hit of found.hits) {
        process.stdout.write(
          JSON.stringify({ type: 'hit', in: conversationName(client, hit.conv), ...messageFields(client, hit.message), conv: hit.conv }) + '\n',
        );
      }
      const summary = { type: 'search', query, count: found.hits.length, more: found.more };
      process.stdout.write(JSON.stringify(found.more && last !== undefined ? { ...summary, before: last } : summary) + '\n');
      return 0;
    }
    if (found.hits.length === 0) process.stdout.write('nothing found\n');
    for (const hit of found.hits) process.stdout.write(safeForTerminal(historyLine(hit.message, conversationName(client, hit.conv))) + '\n');
    if (found.more && last !== undefined) process.stdout.write(`(more: add --before ${last})\n`);
    return 0;
  });
}

function parseLimit(value: string | undefined, fallback: number, max: number): number {
  const limit = parsePositiveInt('limit', value, fallback);
  if (limit > max) throw new UsageError(`--limit is at most ${max}`);
  return limit;
}
