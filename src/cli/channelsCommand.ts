import { ChannelInfo } from '../net/protocol/conversationMessages';
import { channelNameProblem, GENERAL_CHANNEL, normaliseChannelName } from '../net/protocol/conversationKeys';
import { channelEvent, channelLine } from './chatEvents';
import { findChannel, withClient } from './clientSetup';
import { clientOptions, parse, UsageError } from './options';
import { safeForTerminal } from './terminalText';

const VERBS = 'channels takes nothing or list, or: create NAME [--private] [--topic T], join NAME, leave NAME';

/**
 * `team-messenger channels`: lists the channels this identity may see (the public ones and the
 * private ones it is in), creates one, joins or leaves one. Each channel is one line (one JSON
 * object with --json); create, join and leave print the channel as it is afterwards.
 */
export async function channelsCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parse(args, { ...clientOptions, private: { type: 'boolean' }, topic: { type: 'string' } });
  const [verb = 'list', typed, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (verb === 'list' ? typed !== undefined : !['create', 'join', 'leave'].includes(verb) || typed === undefined) throw new UsageError(VERBS);
  if (verb !== 'create' && (values.private || values.topic !== undefined)) throw new UsageError('--private and --topic go with channels create');
  // Checked before connecting: a bad name should not even reach the relay.
  const name = typed === undefined ? '' : normaliseChannelName(typed);
  const problem = verb === 'create' ? channelNameProblem(name) : undefined;
  if (problem) throw new UsageError(problem);

  return withClient(values, env, async (client) => {
    const print = (channel: ChannelInfo, said?: string) => {
      if (values.json) process.stdout.write(JSON.stringify(channelEvent(client, channel)) + '\n');
      else process.stdout.write(safeForTerminal(said ?? channelLine(client, channel)) + '\n');
    };
    switch (verb) {
      case 'create': {
        const channel = await client.conversations.create(name, {
          private: values.private === true,
          ...(values.topic !== undefined ? { topic: values.topic } : {}),
        });
        print(channel, `created ${channelLine(client, channel)}`);
        return 0;
      }
      case 'join': {
        const channel = await client.conversations.join((await findChannel(client, name)).id);
        print(channel, `joined ${channelLine(client, channel)}`);
        return 0;
      }
      case 'leave': {
        const found = await findChannel(client, name);
        const channel = await client.conversations.leave(found.id);
        print(channel, `left #${channel.name}`);
        return 0;
      }
      default: {
        const channels = (await client.conversations.list()).sort(byName);
        for (const channel of channels) print(channel);
        if (channels.length === 0 && !values.json) process.stdout.write('no channels\n');
        return 0;
      }
    }
  });
}

/** #general first, then by name; archived ones last. */
function byName(a: ChannelInfo, b: ChannelInfo): number {
  const rank = (c: ChannelInfo) => (c.id === GENERAL_CHANNEL ? 0 : c.archived ? 2 : 1);
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}
