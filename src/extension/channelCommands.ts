import { normaliseChannelName } from '../net/protocol/conversationKeys';
import { ErrorCode } from '../net/protocol/errors';
import type { ChannelFacts } from '../model/channelNodes';
import type { ConversationId } from '../model/conversationTypes';
import { inert } from '../model/inertText';
import type { IDisposable } from '../model/lifecycle';
import { MENTIONS_QUERY } from '../model/mentions';
import type { CommandPorts } from './commands';
import {
  archivedChoices,
  browseItems,
  ChannelAction,
  channelNameInputProblem,
  channelRefusal,
  takenNames,
  topicProblem,
  unarchiveItems,
  VISIBILITY_ITEMS,
} from './channelText';
import type { Register } from './inviteTeammate';

/** What the channel commands ask of the model (the Messenger has it; the tests fake it). */
export interface ChannelsApi {
  readonly connectionState: string;
  /** The channels known now: those the user is in and the public ones. */
  channels(): ChannelFacts[];
  /** Asks the relay for every channel the user may see. */
  listChannels(): Promise<ChannelFacts[]>;
  createChannel(name: string, options: { private?: boolean; topic?: string; members?: string[] }): Promise<ChannelFacts>;
  joinChannel(id: string): Promise<ChannelFacts>;
  leaveChannel(id: string): Promise<ChannelFacts>;
  addToChannel(id: string, members: string[]): Promise<ChannelFacts>;
  updateChannel(id: string, changes: { name?: string; topic?: string; archived?: boolean }): Promise<ChannelFacts>;
}

/** A tree row of the Channels section (what VS Code passes a context menu's command), or a channel id. */
type ChannelArgument = { channelId?: unknown; name?: unknown; conversationId?: unknown; topic?: unknown } | string | undefined;

/**
 * The Channels section's commands: Browse, Create, and on a channel's row Open, Leave, Rename…,
 * Set Topic…, Add Members… and (its creator's) Archive…; Unarchive… (the creator's archived
 * channels); and Search Messages…, which opens the chat panel's search.
 * A refusal of the relay (a name taken, a channel gone, not allowed) is told in words.
 */
export function registerChannelCommands(channels: ChannelsApi, ports: CommandPorts, register: Register): IDisposable[] {
  const { window, views } = ports;

  const connected = (): boolean => {
    if (channels.connectionState === 'connected') return true;
    void window.showWarningMessage(inert`Team Messenger is not connected to a relay.`);
    return false;
  };

  /** Runs a request; a refusal is logged and told, and gives undefined. */
  const ask = async <T>(action: ChannelAction, name: string, request: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await request();
    } catch (err) {
      ports.log.error(`channel ${action} ${name ? `#${name} ` : ''}refused: ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
      void window.showErrorMessage(inert(channelRefusal(action, name, err), { maxChars: 400 }));
      return undefined;
    }
  };

  /** The channel a command is about: the row's channel as the model knows it now. */
  const channelOf = (arg: ChannelArgument): ChannelFacts | undefined => {
    const id = typeof arg === 'string' ? arg : typeof arg?.channelId === 'string' ? arg.channelId : undefined;
    if (id === undefined) return undefined;
    const known = channels.channels().find((c) => c.id === id);
    if (known) return known;
    // A row the model no longer lists (#general before the relay said what channels there are).
    if (typeof arg !== 'object' || typeof arg.name !== 'string' || typeof arg.conversationId !== 'string') return undefined;
    const topic = typeof arg.topic === 'string' ? arg.topic : '';
    return {
      id,
      name: arg.name,
      conversationId: arg.conversationId,
      topic,
      private: false,
      archived: false,
      createdBy: '',
      creator: false,
      member: true,
      memberCount: 0,
      unread: 0,
      mentions: 0,
    };
  };

  const open = (conversationId: ConversationId) => views.openChat(conversationId);

  /** Opens an archived channel again (its creator only, as the relay has it), then shows it. */
  const unarchive = async (channel: ChannelFacts): Promise<void> => {
    if (!channel.archived) {
      void window.showInformationMessage(inert`#${channel.name} is not archived.`);
      return;
    }
    if (!channel.creator) {
      void window.showInformationMessage(inert(channelRefusal('unarchive', channel.name, { code: ErrorCode.Forbidden })));
      return;
    }
    const restored = await ask('unarchive', channel.name, () => channels.updateChannel(channel.id, { archived: false }));
    if (!restored) return;
    void window.showInformationMessage(inert`#${restored.name} is open again: its members can post in it.`);
    open(restored.conversationId);
  };

  const askName = (title: string, value: string, except?: string) =>
    window.showInputBox({
      title: inert(title),
      prompt: inert`Lowercase letters, digits, "-" and "_"; people see it as #name`,
      placeHolder: inert`deploys`,
      value,
      ignoreFocusOut: true,
      validateInput: (typed) => channelNameInputProblem(typed, takenNames(channels.channels(), except)),
    });

  return [
    register('teamMessenger.browseChannels', async () => {
      if (!connected()) return;
      const listed = await ask('list', '', () => channels.listChannels());
      if (!listed) return;
      const items = browseItems(listed);
      const placeHolder = items.length > 1 ? inert`Pick a channel to join and open` : inert`No channels to join yet: create the first one`;
      const picked = await window.showQuickPick(items, { title: inert`Browse Channels`, placeHolder, matchOnDescription: true });
      if (!picked) return;
      if (picked.create) return ports.executeCommand('teamMessenger.createChannel');
      const channel = picked.channel;
      if (!channel) return;
      if (channel.archived && channel.creator) {
        const choice = await window.showQuickPick(archivedChoices(channel.name), { title: inert`#${channel.name} is archived` });
        if (!choice) return;
        if (choice.unarchive) return unarchive(channel);
      }
      if (channel.member) return open(channel.conversationId);
      const joined = await ask('join', channel.name, () => channels.joinChannel(channel.id));
      if (joined) open(joined.conversationId);
    }),

    register('teamMessenger.createChannel', async () => {
      if (!connected()) return;
      const typed = await askName('Create Channel (1/3): name', '');
      const name = normaliseChannelName(typed ?? '');
      if (!name) return;
      const visibility = await window.showQuickPick(VISIBILITY_ITEMS, { title: inert`Create Channel #${name} (2/3): who can join` });
      if (!visibility) return;
      const topic = await window.showInputBox({
        title: inert`Create Channel #${name} (3/3): topic`,
        prompt: inert`What the channel is for (optional: press Enter to leave it empty)`,
        ignoreFocusOut: true,
        validateInput: topicProblem,
      });
      if (topic === undefined) return;
      const created = await ask('create', name, () =>
        channels.createChannel(name, { private: visibility.private, ...(topic.trim() ? { topic: topic.trim() } : {}) }),
      );
      if (created) open(created.conversationId);
    }),

    register('teamMessenger.openChannel', (arg?: ChannelArgument) => {
      const channel = channelOf(arg);
      if (channel) open(channel.conversationId);
    }),

    register('teamMessenger.leaveChannel', async (arg?: ChannelArgument) => {
      const channel = channelOf(arg);
      if (!channel || !connected()) return;
      if (channel.private) {
        const leave = inert`Leave`;
        const answer = await window.showWarningMessage(
          inert`Leave #${channel.name}?`,
          { modal: true, detail: inert`It is private: only one of its members can add you back.` },
          leave,
        );
        if (answer !== leave) return;
      }
      await ask('leave', channel.name, () => channels.leaveChannel(channel.id));
    }),

    register('teamMessenger.renameChannel', async (arg?: ChannelArgument) => {
      const channel = channelOf(arg);
      if (!channel || !connected()) return;
      const typed = await askName(`Rename #${channel.name}`, channel.name, channel.id);
      const name = normaliseChannelName(typed ?? '');
      if (!name || name === channel.name) return;
      await ask('rename', channel.name, () => channels.updateChannel(channel.id, { name }));
    }),

    register('teamMessenger.setChannelTopic', async (arg?: ChannelArgument) => {
      const channel = channelOf(arg);
      if (!channel || !connected()) return;
      const topic = await window.showInputBox({
        title: inert`Topic of #${channel.name}`,
        prompt: inert`What the channel is for (empty: no topic)`,
        value: channel.topic,
        ignoreFocusOut: true,
        validateInput: topicProblem,
      });
      if (topic === undefined || topic.trim() === channel.topic) return;
      await ask('topic', channel.name, () => channels.updateChannel(channel.id, { topic: topic.trim() }));
    }),

    register('teamMessenger.addChannelMembers', async (arg?: ChannelArgument) => {
      const channel = channelOf(arg);
      if (!channel || !connected()) return;
      // People offline now can be added too: they find the channel when they are back.
      const people = await views.pickPeers(inert`Add Members to #${channel.name}`, { canPickMany: true, includeOffline: true });
      if (!people || people.length === 0) return;
      const added = await ask('add', channel.name, () =>
        channels.addToChannel(
          channel.id,
          people.map((p) => p.clientId),
        ),
      );
      if (added) void window.showInformationMessage(inert`Added ${people.map((p) => p.name).join(', ')} to #${channel.name}.`);
    }),

    register('teamMessenger.archiveChannel', async (arg?: ChannelArgument) => {
      const channel = channelOf(arg);
      if (!channel || !connected()) return;
      if (!channel.creator) {
        void window.showInformationMessage(inert(channelRefusal('archive', channel.name, { code: ErrorCode.Forbidden })));
        return;
      }
      const archive = inert`Archive`;
      const answer = await window.showWarningMessage(
        inert`Archive #${channel.name}?`,
        {
          modal: true,
          detail: inert`Nobody can post in it any more, and it leaves everyone's Channels list. Its members can still read it: Browse Channels lists it.`,
        },
        archive,
      );
      if (answer !== archive) return;
      await ask('archive', channel.name, () => channels.updateChannel(channel.id, { archived: true }));
    }),

    register('teamMessenger.unarchiveChannel', async (arg?: ChannelArgument) => {
      if (!connected()) return;
      const given = channelOf(arg);
      if (given) return unarchive(given);
      const listed = await ask('list', '', () => channels.listChannels());
      if (!listed) return;
      const items = unarchiveItems(listed);
      if (items.length === 0) {
        void window.showInformationMessage(inert`None of the channels you created is archived.`);
        return;
      }
      const picked = await window.showQuickPick(items, { title: inert`Unarchive Channel`, placeHolder: inert`Pick an archived channel you created` });
      if (picked) await unarchive(picked.channel);
    }),

    register('teamMessenger.searchMessages', (query?: unknown) => views.searchMessages(typeof query === 'string' ? query : undefined)),
    register('teamMessenger.showMentions', () => views.searchMessages(MENTIONS_QUERY)),
  ];
}
