import type { TeamClient } from '../net/client/teamClient';
import type { Mention } from '../net/protocol/richMessages';
import { UsageError } from './options';

/** `--mention` values, checked before connecting: names, ids, `@channel` or `@here` ("@" optional). */
export function mentionNames(values: readonly string[] | undefined): string[] {
  const names = (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim().replace(/^@/, ''));
  if (names.some((n) => n === '')) throw new UsageError('--mention names nobody');
  return names;
}

/** The mentions `names` mean once connected: `channel` and `here` as they are, others found as
 *  --to finds people (an unknown or ambiguous name fails the command, exit code 5). */
export async function resolveMentions(client: TeamClient, names: readonly string[]): Promise<Mention[]> {
  const mentions: Mention[] = [];
  for (const name of names) {
    const lower = name.toLowerCase();
    mentions.push(lower === 'channel' || lower === 'here' ? lower : await client.resolvePeer(name));
  }
  return [...new Set(mentions)];
}
