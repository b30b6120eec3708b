import { channelNameProblem, ConversationLimits, normaliseChannelName } from '../net/protocol/conversationKeys';
import { ErrorCode } from '../net/protocol/errors';
import { isGeneral, type ChannelFacts } from '../model/channelNodes';
import { inert, InertText, joinInert } from '../model/inertText';
import type { SafeQuickPickItem } from '../views/safeWindow';

/**
 * The words and choices of the channel commands, apart from VS Code so they are tested as plain
 * functions: name checks as the user types, the Browse and Create quick picks, and what to say
 * when the relay refuses.
 */

/**
 * Why the typed text cannot name a new channel (or a renamed one), or undefined when it can:
 * "#Deploys " is read as "deploys". Nothing typed yet is no complaint (Enter then cancels).
 * `taken`: names of the channels the user knows of that are not archived (the relay has the last
 * word: a private channel's name the user cannot see is refused when asked).
 */
export function channelNameInputProblem(typed: string, taken: ReadonlySet<string>): InertText | undefined {
  const name = normaliseChannelName(typed);
  if (name === '') return undefined;
  const problem = channelNameProblem(name);
  if (problem) return inert(capitalise(problem));
  if (taken.has(name)) return inert`#${name} is taken: pick another name`;
  return undefined;
}

export function topicProblem(typed: string): InertText | undefined {
  const length = [...typed.trim()].length;
  return length > ConversationLimits.topicChars ? inert`A topic is at most ${ConversationLimits.topicChars} characters (this one is ${length})` : undefined;
}

/** The names a new channel may not take: every channel known that is not archived. */
export function takenNames(channels: Iterable<ChannelFacts>, except?: string): Set<string> {
  const names = new Set<string>();
  for (const c of channels) if (!c.archived && c.id !== except) names.add(c.name);
  return names;
}

export type BrowseItem = SafeQuickPickItem & { channel?: ChannelFacts; create?: true };

// Our own icons: literal template text, which `inert` keeps (an interpolated `$(…)` would show as text).
const ARCHIVED = inert`$(archive)`;
const JOINED = inert`$(check)`;
const PRIVATE = inert`$(lock)`;
const PUBLIC = inert`$(comment-discussion)`;

/**
 * Browse Channels…: every channel the relay lets the user see that is still open (public ones,
 * and the private ones the user is in), #general first, then by name; the ones the user is in
 * are marked. Archived channels the user was in come last, marked: their history stays readable.
 * Then a row to create a channel, for when none fits.
 */
export function browseItems(channels: Iterable<ChannelFacts>): BrowseItem[] {
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  const listed = [...channels].filter((c) => !c.archived || c.member);
  listed.sort((a, b) => Number(a.archived) - Number(b.archived) || Number(isGeneral(b)) - Number(isGeneral(a)) || collator.compare(a.name, b.name));
  const items: BrowseItem[] = listed.map((c) => {
    const facts = [
      c.archived ? 'archived, read-only' : c.member ? 'joined' : undefined,
      c.private ? 'private' : undefined,
      c.memberCount > 0 ? `${c.memberCount} member${c.memberCount === 1 ? '' : 's'}` : undefined,
    ].filter((f): f is string => f !== undefined);
    const icon = c.archived ? ARCHIVED : c.member ? JOINED : c.private ? PRIVATE : PUBLIC;
    return {
      label: joinInert([icon, inert`#${c.name}`], ' '),
      description: inert(facts.join(' · ')),
      ...(c.topic ? { detail: inert(c.topic, { maxChars: ConversationLimits.topicChars }) } : {}),
      channel: c,
    };
  });
  items.push({ label: inert`$(add) Create Channel…`, description: inert`start a new one`, create: true });
  return items;
}

export type ArchivedItem = SafeQuickPickItem & { channel: ChannelFacts };

/** Unarchive Channel…: the archived channels the user created (only they may restore one), by name. */
export function unarchiveItems(channels: Iterable<ChannelFacts>): ArchivedItem[] {
  const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  return [...channels]
    .filter((c) => c.archived && c.creator)
    .sort((a, b) => collator.compare(a.name, b.name))
    .map((c) => ({
      label: joinInert([ARCHIVED, inert`#${c.name}`], ' '),
      description: inert(
        [c.private ? 'private' : 'public', c.memberCount > 0 ? `${c.memberCount} member${c.memberCount === 1 ? '' : 's'}` : undefined]
          .filter(Boolean)
          .join(' · '),
      ),
      ...(c.topic ? { detail: inert(c.topic, { maxChars: ConversationLimits.topicChars }) } : {}),
      channel: c,
    }));
}

export type ArchivedChoice = SafeQuickPickItem & { unarchive: boolean };

/** Browse Channels… on an archived channel the user created: read it, or open it again. */
export function archivedChoices(name: string): ArchivedChoice[] {
  return [
    { label: inert`$(eye) Open #${name}`, description: inert`read-only: nobody can post in it`, unarchive: false },
    { label: inert`$(inbox) Unarchive #${name}`, description: inert`its members can post in it again`, unarchive: true },
  ];
}

export type VisibilityItem = SafeQuickPickItem & { private: boolean };

export const VISIBILITY_ITEMS: readonly VisibilityItem[] = [
  { label: inert`$(comment-discussion) Public`, description: inert`anyone on the team can find and join it`, private: false },
  { label: inert`$(lock) Private`, description: inert`only the people its members add can see it`, private: true },
];

/** What a channel command asked of the relay, for the words of a refusal. */
export type ChannelAction = 'create' | 'join' | 'leave' | 'rename' | 'topic' | 'add' | 'archive' | 'unarchive' | 'list';

const VERB: Record<ChannelAction, string> = {
  create: 'create',
  join: 'join',
  leave: 'leave',
  rename: 'rename',
  topic: 'set the topic of',
  add: 'add people to',
  archive: 'archive',
  unarchive: 'unarchive',
  list: 'list the channels of',
};

/**
 * What to tell the user when the relay refused a channel request: in words for what happened,
 * by the error's code (CONFLICT, NOT_FOUND, FORBIDDEN), else the relay's own text. `name` is the
 * channel's name without '#' ('' for a list). Plain text: the caller makes it inert.
 */
export function channelRefusal(action: ChannelAction, name: string, err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  const channel = name ? `#${name}` : 'the team';
  switch (code) {
    case ErrorCode.Conflict:
      if (action === 'create' || action === 'rename') return `${channel} is taken: another channel has that name. Pick another name.`;
      if ((action === 'leave' || action === 'archive') && name === 'general') return `#general cannot be left or archived: everyone on the team is in it.`;
      if (action === 'archive') return `${channel} is already archived.`;
      if (action === 'unarchive') return `${channel} cannot be unarchived: another channel has that name now. Rename that one first.`;
      return `${channel} is archived: it can be read, but nothing in it changes any more.`;
    case ErrorCode.NotFound:
      return `${channel} was not found: it no longer exists, or you are not in it.`;
    case ErrorCode.Forbidden:
      if (action === 'archive' || action === 'unarchive') return `Only the person who created ${channel} can ${action} it.`;
      return `Only members of ${channel} can ${action === 'topic' ? 'set its topic' : `${VERB[action]} it`}.`;
    case ErrorCode.Closed:
      return `Could not ${VERB[action]} ${channel}: Team Messenger is not connected to a relay.`;
    default:
      return `Could not ${VERB[action]} ${channel}: ${(err as Error | undefined)?.message ?? String(err)}`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
