import type { PeerStatus } from '../net/protocol/messages';

/**
 * Which new messages interrupt the user, as pure functions of the message and the user's state
 * (status, the conversation's level, quiet mode), so every rule is unit tested.
 *
 * The rules, in order:
 * 1. The conversation's level: `all` wants every message; `mentions` wants mentions (of the user,
 *    @channel, @here), replies in threads the user is in and urgent messages; `muted` wants only
 *    mentions of the user by name and urgent messages (@channel/@here stay quiet there).
 * 2. The status: Do Not Disturb holds everything but urgent messages; Busy holds everything but
 *    urgent messages and mentions. Available and Away let the rest through.
 * 3. Quiet mode (a debug session runs, or the user is typing in an editor) holds everything but
 *    urgent messages and mentions.
 * A held message is told later in one summary, once nothing holds it any more.
 */

/** How much of a conversation interrupts the user. */
export type NotifyLevel = 'all' | 'mentions' | 'muted';

export const NOTIFY_LEVELS: readonly NotifyLevel[] = ['all', 'mentions', 'muted'];

/** Why notifications are being held besides the status. */
export type QuietReason = 'debugging' | 'typing';

/** How a message names the user: by name (their id in `mentions`, or "@name" in older clients'
 *  text), or the whole room (@channel, @here). */
export type MentionOfUser = 'self' | 'room';

/** What the policy needs to know of one new message. */
export interface NoticeFacts {
  /** Direct and group conversations default to `all`, channels to `mentions`. */
  channel: boolean;
  mention: MentionOfUser | undefined;
  urgent: boolean;
  /** A reply in a thread the user wrote in (its parent or a reply). */
  inOwnThread: boolean;
}

/** What holds or lets through notifications now. */
export interface FocusState {
  status: PeerStatus;
  /** The conversation's level (its own, or the default for its kind). */
  level: NotifyLevel;
  quiet: QuietReason | undefined;
}

/** `show` now; `hold` for the summary later; `drop`: the conversation's level does not want it. */
export type NoticeDecision = 'show' | 'hold' | 'drop';

export function decideNotice(facts: NoticeFacts, state: FocusState): NoticeDecision {
  if (!levelWants(state.level, facts)) return 'drop';
  return holdsBack(state, facts) ? 'hold' : 'show';
}

/** Whether a conversation at this level wants the message at all. */
export function levelWants(level: NotifyLevel, facts: NoticeFacts): boolean {
  if (facts.urgent || facts.mention === 'self') return true;
  if (level === 'muted') return false;
  if (level === 'mentions') return facts.mention === 'room' || facts.inOwnThread;
  return true;
}

/** Whether the status or quiet mode keeps a wanted message for later. */
function holdsBack(state: FocusState, facts: NoticeFacts): boolean {
  if (facts.urgent) return false;
  if (state.status === 'dnd') return true;
  if (facts.mention !== undefined) return false;
  return state.status === 'busy' || state.quiet !== undefined;
}

/** Whether anything is being held now: held messages wait until this turns false. */
export function holding(status: PeerStatus, quiet: QuietReason | undefined): boolean {
  return status === 'dnd' || status === 'busy' || quiet !== undefined;
}

/** What held the messages, for the summary's opening words. */
export type HoldReason = 'dnd' | 'busy' | QuietReason;

/** The strongest reason holding now (DND before Busy before quiet mode), or undefined. */
export function holdReason(status: PeerStatus, quiet: QuietReason | undefined): HoldReason | undefined {
  if (status === 'dnd' || status === 'busy') return status;
  return quiet;
}

/** The level a conversation gets when the user set none: from the settings, by kind. */
export function effectiveLevel(own: NotifyLevel | undefined, channel: boolean, defaults: { direct: NotifyLevel; channels: NotifyLevel }): NotifyLevel {
  return own ?? (channel ? defaults.channels : defaults.direct);
}

export function isNotifyLevel(value: unknown): value is NotifyLevel {
  return typeof value === 'string' && (NOTIFY_LEVELS as readonly string[]).includes(value);
}
