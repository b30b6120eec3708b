import { InviteLink } from '../net/invite';
import { inert, InertText } from '../model/inertText';
import type { IDisposable } from '../model/lifecycle';
import type { SafeQuickPickItem } from '../views/safeWindow';
import type { CommandContext, CommandPorts } from './commands';
import {
  describeTtl,
  describeUntil,
  describeUses,
  InviteKind,
  inviteAddresses,
  inviteClipboardText,
  inviteFingerprint,
  ONE_PERSON_WEEK,
  parseTtl,
  parseUses,
  TEN_PEOPLE_DAY,
} from './inviteText';

export type Register = (id: string, run: (...args: never[]) => unknown) => IDisposable;

/** Run with this argument (the status bar's Copy Invite), Invite Teammate… asks nothing. */
export const DEFAULT_INVITE = 'default';

/**
 * Invite Teammate…: the relay makes an invite (a token for one person or a few, for a while), and
 * the link that carries it, the relay's addresses and certificate fingerprint goes to the
 * clipboard. The team secret never does: whoever opens the link is given it by the relay.
 */
export function registerInviteCommand(c: CommandContext, ports: CommandPorts, register: Register): IDisposable {
  const { connections, relay, messenger } = c;
  const { showInformationMessage, showWarningMessage, showQuickPick, showInputBox, writeClipboard } = ports.window;

  const chooseKind = async (): Promise<InviteKind | undefined> => {
    const kinds: (SafeQuickPickItem & { choice?: InviteKind })[] = [
      { label: inert`$(person) One person, valid 7 days`, description: inert`the usual`, choice: ONE_PERSON_WEEK },
      { label: inert`$(organization) Up to 10 people, valid 24 hours`, description: inert`for a meeting or a new group`, choice: TEN_PEOPLE_DAY },
      { label: inert`$(settings-gear) Custom…`, description: inert`choose how many people and how long` },
    ];
    const picked = await showQuickPick(kinds, { title: inert`Invite Teammate`, placeHolder: inert`Who may join with this invite, and until when?` });
    if (!picked) return undefined;
    if (picked.choice) return picked.choice;
    const uses = await showInputBox({
      title: inert`Invite Teammate: how many people`,
      prompt: inert`How many people may join with this one invite`,
      value: '1',
      validateInput: (v) => {
        const n = parseUses(v);
        return typeof n === 'string' ? inert(n) : undefined;
      },
    });
    if (uses === undefined) return undefined;
    const ttl = await showInputBox({
      title: inert`Invite Teammate: valid for`,
      prompt: inert`How long the invite works: 30m, 12h, 7d…`,
      value: '7d',
      validateInput: (v) => {
        const ms = parseTtl(v);
        return typeof ms === 'string' ? inert(ms) : undefined;
      },
    });
    if (ttl === undefined) return undefined;
    return { uses: parseUses(uses) as number, ttlMs: parseTtl(ttl) as number };
  };

  return register('teamMessenger.inviteTeammate', async (preset?: unknown) => {
    const client = connections.client;
    if (!client || messenger.connectionState !== 'connected') {
      const choice = await showWarningMessage(
        inert`To invite a teammate, connect to your team's relay first (the relay makes the invite), or start a relay here.`,
        'Connect to Relay…',
        'Start Local Relay',
      );
      if (choice === 'Connect to Relay…') await ports.executeCommand('teamMessenger.connect');
      if (choice === 'Start Local Relay') await ports.executeCommand('teamMessenger.startLocalRelay');
      return;
    }
    const kind = preset === DEFAULT_INVITE ? ONE_PERSON_WEEK : await chooseKind();
    if (!kind) return;
    let made: Awaited<ReturnType<typeof client.invites.create>>;
    try {
      made = await client.invites.create({ uses: kind.uses, ttlMs: kind.ttlMs });
    } catch (err) {
      throw new Error(`The relay did not make an invite: ${(err as Error).message}`, { cause: err });
    }
    const fingerprint = inviteFingerprint(client.relayFingerprint);
    const link: InviteLink = {
      addresses: inviteAddresses(connections.server, relay.hosting),
      ...(fingerprint ? { fingerprint } : {}),
      token: made.token,
      expiresAt: made.invite.expiresAt,
      from: client.name,
    };
    const text = inviteClipboardText(link, ports.uriScheme);
    await writeClipboard(text);
    const told: InertText = inert`Invite link copied: ${describeUses(made.invite.uses)}, valid until ${describeUntil(made.invite.expiresAt)} (${describeTtl(kind.ttlMs)}). Send it to your teammate: opening it in VS Code joins the team.`;
    // Not awaited: the invite is made; the notification may sit unanswered.
    const offerAgain = (): void =>
      void showInformationMessage(told, 'Copy Again').then((choice) => {
        if (!choice) return;
        void writeClipboard(text);
        offerAgain();
      });
    offerAgain();
  });
}
