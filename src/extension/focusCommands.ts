import type { PeerStatus } from '../net/protocol/messages';
import { isConversationId } from '../model/conversationIds';
import type { ConversationId } from '../model/conversationTypes';
import { inert, InertText } from '../model/inertText';
import type { IDisposable } from '../model/lifecycle';
import type { NotifyLevel } from '../model/notificationPolicy';
import type { SafeQuickPickItem } from '../views/safeWindow';
import type { CommandPorts } from './commands';
import type { Register } from './inviteTeammate';

/** What the status and notification commands change (UserStatus and ConversationLevels in VS Code). */
export interface FocusControls {
  readonly status: { readonly chosen: PeerStatus; choose(status: PeerStatus): void };
  readonly levels: { get(conversationId: ConversationId): NotifyLevel | undefined; set(conversationId: ConversationId, level: NotifyLevel | undefined): void };
  /** The settings' level for a conversation of this kind without one of its own. */
  defaultLevel(conversationId: ConversationId): NotifyLevel;
  /** '#deploys', 'bob'. */
  title(conversationId: ConversationId): string;
  /** Sends a message marked urgent (it notifies through Do Not Disturb); false: not kept (no connection yet). */
  sendUrgent(conversationId: ConversationId, text: string): boolean;
}

export const STATUS_CHOICES: readonly { status: PeerStatus; label: InertText; description: InertText }[] = [
  { status: 'online', label: inert`$(circle-filled) Available`, description: inert`notifications as each conversation's setting says` },
  { status: 'away', label: inert`$(clock) Away`, description: inert`notifications as usual; others see you are away` },
  { status: 'busy', label: inert`$(circle-slash) Busy`, description: inert`only mentions and urgent messages; the rest in a summary later` },
  { status: 'dnd', label: inert`$(bell-slash) Do Not Disturb`, description: inert`only urgent messages; the rest in a summary later` },
];

export const LEVEL_CHOICES: readonly { level: NotifyLevel; name: string; label: InertText; description: InertText }[] = [
  { level: 'all', name: 'All Messages', label: inert`$(bell) All Messages`, description: inert`every new message` },
  {
    level: 'mentions',
    name: 'Mentions Only',
    label: inert`$(mention) Mentions Only`,
    description: inert`mentions, @channel, @here, replies in your threads, urgent`,
  },
  { level: 'muted', name: 'Mute', label: inert`$(bell-slash) Mute`, description: inert`only mentions of you by name and urgent messages` },
];

/** A tree row (a channel or a person: both carry `conversationId`), or a conversation id. */
type ConversationArgument = { conversationId?: unknown } | string | undefined;

export function conversationOf(arg: ConversationArgument): ConversationId | undefined {
  const id = typeof arg === 'string' ? arg : arg?.conversationId;
  return isConversationId(id) ? id : undefined;
}

/** Set Status… and a conversation's Notifications… (the chat header and the Peers view's rows). */
export function registerFocusCommands(focus: FocusControls, ports: CommandPorts, register: Register): IDisposable[] {
  const { showQuickPick, showWarningMessage } = ports.window;
  return [
    register('teamMessenger.setStatus', async () => {
      const items: (SafeQuickPickItem & { status: PeerStatus })[] = STATUS_CHOICES.map((c) => ({
        label: c.label,
        description: c.status === focus.status.chosen ? inert`${c.description} · current` : c.description,
        status: c.status,
      }));
      const picked = await showQuickPick(items, { title: inert`Set Status` });
      if (picked) focus.status.choose(picked.status);
    }),
    register('teamMessenger.conversationNotifications', async (arg: ConversationArgument) => {
      const conversationId = conversationOf(arg);
      if (!conversationId) {
        void showWarningMessage(inert`Choose a conversation's Notifications… in the chat header or on a row of the Peers view.`);
        return;
      }
      const own = focus.levels.get(conversationId);
      const fallback = focus.defaultLevel(conversationId);
      const fallbackName = LEVEL_CHOICES.find((c) => c.level === fallback)?.name ?? fallback;
      const items: (SafeQuickPickItem & { level: NotifyLevel | undefined })[] = [
        ...LEVEL_CHOICES.map((c) => ({ label: c.label, description: c.level === own ? inert`${c.description} · current` : c.description, level: c.level })),
        {
          label: inert`$(settings-gear) Default`,
          description: inert`as the settings say: ${fallbackName}${own === undefined ? ' · current' : ''}`,
          level: undefined,
        },
      ];
      const picked = await showQuickPick(items, { title: inert`Notifications for ${focus.title(conversationId)}` });
      if (picked) focus.levels.set(conversationId, picked.level);
    }),
    register('teamMessenger.sendUrgentMessage', async (arg: ConversationArgument) => {
      const conversationId = conversationOf(arg);
      if (!conversationId) {
        void showWarningMessage(inert`Choose Send Urgent Message… on a row of the Peers view.`);
        return;
      }
      const title = focus.title(conversationId);
      const text = await ports.window.showInputBox({
        title: inert`Urgent Message to ${title}`,
        prompt: inert`Notifies even through Do Not Disturb, Busy, quiet mode and a muted conversation: keep it for what cannot wait.`,
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : inert`Say what cannot wait.`),
      });
      if (!text?.trim()) return;
      if (!focus.sendUrgent(conversationId, text)) void showWarningMessage(inert`Not sent: Team Messenger has not connected to a relay yet.`);
    }),
  ];
}
