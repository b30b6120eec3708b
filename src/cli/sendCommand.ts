import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { createStreamLogger } from '../net/logger';
import { Ack, Limits, Targets } from '../net/protocol/messages';
import { collectFiles, LocalFile } from '../net/transfer/localFiles';
import type { TeamClient } from '../net/client/teamClient';
import { channelTarget, createClient, findChannel, nameOf } from './clientSetup';
import { codeSendOptions } from './codeOptions';
import { parseLogLevel } from './logLevel';
import { mentionNames, resolveMentions } from './mentionOptions';
import { clientOptions, parse, parsePositiveInt, UsageError } from './options';
import { followTransfer, Say } from './sendFileCommand';

/**
 * `team-messenger send`: one message (to people, a channel or #general; with --thread, a reply
 * in that message's thread), then exit. Exits 0 only after the relay acknowledged
 * it; otherwise non-zero with the reason (see the exit codes in usage.ts). With --file (people
 * only), the files are offered to each of them too, and it waits like send-file until every
 * one has verified them (or says who declined: exit 6).
 */
export async function sendCommand(args: string[], env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream): Promise<number> {
  const { values, positionals } = parse(args, {
    ...clientOptions,
    to: { type: 'string' },
    all: { type: 'boolean' },
    channel: { type: 'string' },
    thread: { type: 'string' },
    timeout: { type: 'string' },
    file: { type: 'string', multiple: true },
    mention: { type: 'string', multiple: true },
    urgent: { type: 'boolean' },
    patch: { type: 'string' },
    code: { type: 'string' },
  });
  const paths = values.file ?? [];
  if (paths.length > 0 && values.to === undefined) throw new UsageError('files go to people: --file needs --to NAME[,NAME...]');
  const targets = [values.to !== undefined, values.all === true, values.channel !== undefined].filter(Boolean).length;
  if (targets > 1) throw new UsageError('give one of --to, --all and --channel');
  if (targets === 0) throw new UsageError('say who receives it: --to NAME[,NAME...], --channel NAME or --all');
  if (values.channel !== undefined && !values.channel.trim()) throw new UsageError('--channel names no channel');
  if (values.thread !== undefined && !values.thread) throw new UsageError('--thread needs the id of the message to reply to');
  const recipients =
    values.to
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  if (values.to !== undefined && recipients.length === 0) throw new UsageError('--to names nobody');
  if (values.code !== undefined && positionals.length > 0) throw new UsageError('--code sends the lines as the message: give no text with it');
  if (values.patch === '-' && positionals[0] === '-') throw new UsageError('standard input can hold the patch or the text, not both');
  const coded = await codeSendOptions(values.patch, values.code, positionals.length > 0, () => readAll(stdin));
  if (positionals.length === 0 && paths.length === 0 && !coded) throw new UsageError('the message text is missing (use - to read it from standard input)');
  const mentions = mentionNames(values.mention);
  if ((mentions.length > 0 || values.urgent) && positionals.length === 0) throw new UsageError('--mention and --urgent go with a message text');
  const text = coded?.text ?? (positionals.length === 1 && positionals[0] === '-' ? await readAll(stdin) : positionals.join(' '));
  if (text.length === 0 && (positionals.length > 0 || coded)) throw new UsageError('the message is empty');
  if (text.length > Limits.textChars) throw new UsageError(`the message is ${text.length} characters; the limit is ${Limits.textChars}`);
  const timeoutMs = parsePositiveInt('timeout', values.timeout, 15_000);
  // Listed before connecting: a typo in a path should not even reach the relay.
  const files =
    paths.length === 0
      ? []
      : await collectFiles(paths).catch((err: Error) => {
          throw new UsageError(err.message);
        });

  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'error'));
  // The connection's own time-out comes first: its error says more than "no acknowledgement".
  // Files resume after a dropped connection, as with send-file; a lone message does not wait.
  const client = createClient(values, env, logger, files.length > 0 ? 'after-first-connect' : false, Math.max(500, Math.min(10_000, timeoutMs - 500)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TeamMessengerError(ErrorCode.Unreachable, `no acknowledgement from the relay within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const { ack, people } = await Promise.race([
      (async () => {
        await client.connect();
        const to: Targets = values.all
          ? 'all'
          : values.channel !== undefined
            ? channelTarget(client, await findChannel(client, values.channel))
            : await Promise.all(recipients.map((r) => client.resolvePeer(r)));
        const options = {
          ...(values.thread !== undefined ? { thread: values.thread } : {}),
          ...(mentions.length > 0 ? { mentions: await resolveMentions(client, mentions) } : {}),
          ...(values.urgent ? { urgent: true as const } : {}),
          ...(coded?.code ? { code: coded.code } : {}),
          ...(coded?.patch ? { patch: coded.patch } : {}),
        };
        const sent = text.length > 0 ? await client.send(to, text, options) : undefined;
        return { ack: sent, people: Array.isArray(to) ? to : [] };
      })(),
      timeout,
    ]);
    clearTimeout(timer);
    if (ack) printAck(client, ack, values.json === true);
    if (files.length > 0) await offerToEach(client, people, files, values.json === true);
    return 0;
  } finally {
    clearTimeout(timer);
    await client.close();
  }
}

function printAck(client: TeamClient, ack: Ack, json: boolean): void {
  if (json) {
    process.stdout.write(
      JSON.stringify({
        type: 'ack',
        id: ack.id,
        seq: ack.seq,
        ts: ack.ts,
        reached: ack.reached,
        online: ack.online.map((id) => nameOf(client, id)),
        offline: ack.offline.map((id) => nameOf(client, id)),
      }) + '\n',
    );
    return;
  }
  const parts = [`delivered to ${ack.reached} ${ack.reached === 1 ? 'peer' : 'peers'}`];
  if (ack.offline.length) parts.push(`waiting for ${ack.offline.map((id) => nameOf(client, id)).join(', ')} (offline)`);
  process.stdout.write(parts.join('; ') + '\n');
}

/**
 * Offers the files to each person at once (each offer is recorded in that conversation) and
 * waits for every one to end; the first that did not end well is the command's error.
 */
async function offerToEach(client: TeamClient, people: readonly string[], files: LocalFile[], json: boolean): Promise<void> {
  const say: Say = (event, human) => {
    if (json) process.stdout.write(JSON.stringify(event) + '\n');
    else process.stderr.write(human + '\n');
  };
  const outcomes = await Promise.allSettled([...new Set(people)].map((id) => followTransfer(client.transfers.send(id, files), nameOf(client, id), say)));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  say(
    { type: 'done', files: files.length, people: people.length },
    `all files delivered and verified (${people.length} ${people.length === 1 ? 'person' : 'people'})`,
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
}
