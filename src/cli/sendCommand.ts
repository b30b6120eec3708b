import { ErrorCode, TeamMessengerError } from '../net/protocol/errors';
import { createStreamLogger } from '../net/logger';
import { Limits, Targets } from '../net/protocol/messages';
import { channelTarget, createClient, findChannel, nameOf } from './clientSetup';
import { parseLogLevel } from './logLevel';
import { clientOptions, parse, parsePositiveInt, UsageError } from './options';

/**
 * `team-messenger send`: one message (to people, a channel or #general; with --thread, a reply
 * in that message's thread), then exit. Exits 0 only after the relay acknowledged
 * it; otherwise non-zero with the reason (see the exit codes in usage.ts).
 */
export async function sendCommand(args: string[], env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream): Promise<number> {
  const { values, positionals } = parse(args, {
    ...clientOptions,
    to: { type: 'string' },
    all: { type: 'boolean' },
    channel: { type: 'string' },
    thread: { type: 'string' },
    timeout: { type: 'string' },
  });
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
  if (positionals.length === 0) throw new UsageError('the message text is missing (use - to read it from standard input)');
  const text = positionals.length === 1 && positionals[0] === '-' ? await readAll(stdin) : positionals.join(' ');
  if (text.length === 0) throw new UsageError('the message is empty');
  if (text.length > Limits.textChars) throw new UsageError(`the message is ${text.length} characters; the limit is ${Limits.textChars}`);
  const timeoutMs = parsePositiveInt('timeout', values.timeout, 15_000);

  const logger = createStreamLogger((line) => process.stderr.write(line), parseLogLevel(values['log-level'], 'error'));
  // The connection's own time-out comes first: its error says more than "no acknowledgement".
  const client = createClient(values, env, logger, false, Math.max(500, Math.min(10_000, timeoutMs - 500)));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TeamMessengerError(ErrorCode.Unreachable, `no acknowledgement from the relay within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const ack = await Promise.race([
      (async () => {
        await client.connect();
        const to: Targets = values.all
          ? 'all'
          : values.channel !== undefined
            ? channelTarget(client, await findChannel(client, values.channel))
            : await Promise.all(recipients.map((r) => client.resolvePeer(r)));
        return client.send(to, text, values.thread !== undefined ? { thread: values.thread } : {});
      })(),
      timeout,
    ]);
    if (values.json) {
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
    } else {
      const parts = [`delivered to ${ack.reached} ${ack.reached === 1 ? 'peer' : 'peers'}`];
      if (ack.offline.length) parts.push(`waiting for ${ack.offline.map((id) => nameOf(client, id)).join(', ')} (offline)`);
      process.stdout.write(parts.join('; ') + '\n');
    }
    return 0;
  } finally {
    clearTimeout(timer);
    await client.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
}
