import * as vscode from 'vscode';
import type { ConnectionHealth } from '../model/connectionFailure';
import { inert, InertText } from '../model/inertText';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { EVERYONE } from '../model/conversationIds';
import { buildChannelSection, ChannelNode, ChannelSectionNode } from '../model/channelNodes';
import { badgeFor, buildPeersView, PeerNode, PeersViewNode } from '../model/peersModel';
import { createTreeItem, createTreeView, SafeTreeView } from './safeWindow';
import type { HostingSource } from './statusBar';

/** The row on top while this window hosts the relay: where teammates reach it, and a way to invite them. */
interface HostingNode {
  kind: 'hosting';
  address: string;
}

/** While the relay cannot be used: the ways on, under the banner that says why. */
interface ActionNode {
  kind: 'action';
  id: string;
  label: InertText;
  icon: string;
  command: string;
  tooltip: InertText;
}

/** A group of rows: the channels the user is in, then the people to message directly. */
interface SectionNode {
  kind: 'section';
  section: 'channels' | 'people';
}

const CHANNELS: SectionNode = { kind: 'section', section: 'channels' };
const PEOPLE: SectionNode = { kind: 'section', section: 'people' };

type TreeNode = PeersViewNode | ChannelSectionNode | SectionNode | HostingNode | ActionNode;

const FAILURE_ACTIONS: ActionNode[] = [
  { kind: 'action', id: 'retry', label: inert`Retry`, icon: 'refresh', command: 'teamMessenger.retryConnect', tooltip: inert`Try to connect again now` },
  {
    kind: 'action',
    id: 'changeAddress',
    label: inert`Change Address…`,
    icon: 'edit',
    command: 'teamMessenger.connect',
    tooltip: inert`Connect to another relay, or correct the address`,
  },
  {
    kind: 'action',
    id: 'showLog',
    label: inert`Show Log`,
    icon: 'output',
    command: 'teamMessenger.showLog',
    tooltip: inert`What the client tried, step by step`,
  },
];

const STATUS_ICON: Record<PeerNode['status'], { icon: string; color?: string }> = {
  online: { icon: 'account', color: 'charts.green' },
  busy: { icon: 'account', color: 'charts.red' },
  dnd: { icon: 'bell-slash', color: 'charts.red' },
  away: { icon: 'account', color: 'charts.yellow' },
  offline: { icon: 'account', color: 'disabledForeground' },
};

/**
 * The Peers view: while hosting, a row to invite teammates; then the Channels section (the
 * channels the user is in, #general first, and rows to browse and create channels); then Direct
 * Messages: who is online, then who was here before (greyed); on a big relay, the watched people
 * and a row to find anyone else. A thin adapter over channelNodes.ts and peersModel.ts; clicking a
 * row opens that conversation in the chat panel. While the relay cannot be used, the
 * view's message says why (ConnectionHealth) and rows on top offer Retry, Change Address…, Show Log.
 */
export class PeersTree extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: SafeTreeView<TreeNode>;
  private refreshQueued = false;

  constructor(
    private readonly messenger: MessengerModel,
    private readonly relay: HostingSource,
    private readonly health: ConnectionHealth,
  ) {
    super();
    this.view = this._register(createTreeView('teamMessenger.peers', { treeDataProvider: this, showCollapseAll: false }));
    this._register(relay.onDidChange(() => this.refresh()));
    this._register(health.onDidChangeHealth(() => this.refresh()));
    this._register(messenger.onConnectionChanged(() => this.refresh()));
    this._register(messenger.onRosterChanged(() => this.refresh()));
    this._register(messenger.onStoreChanged(() => this.refresh()));
    this._register(messenger.onChannelsChanged(() => this.refresh()));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'action') {
      return createTreeItem(
        { label: node.label, tooltip: node.tooltip, accessibilityLabel: node.label },
        { id: `action.${node.id}`, iconPath: new vscode.ThemeIcon(node.icon), command: { command: node.command, title: node.label } },
      );
    }
    if (node.kind === 'hosting') {
      return createTreeItem(
        {
          // The action first: the side bar is narrow, and a cut-off label must still say what it does.
          label: inert`Invite Teammate…`,
          description: inert`hosting on ${node.address}`,
          tooltip: inert`This window runs your team's relay at ${node.address}. Click to copy an invite link for a teammate: opening it in VS Code joins the team, no secret to pass on.`,
          accessibilityLabel: inert`Hosting on ${node.address}. Invite Teammate`,
        },
        {
          id: 'hosting',
          iconPath: new vscode.ThemeIcon('broadcast'),
          contextValue: 'hosting',
          command: { command: 'teamMessenger.inviteTeammate', title: 'Invite Teammate…' },
        },
      );
    }
    if (node.kind === 'section') return this.sectionItem(node);
    if (node.kind === 'channel') return channelItem(node);
    if (node.kind === 'channelAction') {
      return createTreeItem(
        { label: node.label, tooltip: node.tooltip, accessibilityLabel: node.label },
        {
          id: `channelAction.${node.action}`,
          iconPath: new vscode.ThemeIcon(node.action === 'browse' ? 'list-unordered' : 'add'),
          command: { command: node.command, title: node.label },
        },
      );
    }
    if (node.kind === 'find') {
      return createTreeItem(
        { label: node.label, tooltip: node.tooltip },
        {
          id: 'findPeer',
          iconPath: new vscode.ThemeIcon('search'),
          contextValue: 'findPeer',
          command: { command: 'teamMessenger.findPeer', title: 'Find Peer…' },
        },
      );
    }
    return this.peerItem(node);
  }

  private sectionItem(node: SectionNode): vscode.TreeItem {
    const expanded = vscode.TreeItemCollapsibleState.Expanded;
    if (node.section === 'channels') {
      return createTreeItem(
        { label: inert`Channels`, tooltip: inert`The channels you are in. Browse Channels… finds the others.` },
        { id: 'section.channels', collapsibleState: expanded, contextValue: 'section.channels' },
      );
    }
    const online = this.messenger.othersOnline();
    return createTreeItem(
      {
        label: inert`Direct Messages`,
        description: inert`${online} online`,
        tooltip: inert`Your teammates: click one to message them directly`,
        accessibilityLabel: inert`Direct Messages, ${online} online`,
      },
      { id: 'section.people', collapsibleState: expanded, contextValue: 'section.people' },
    );
  }

  private peerItem(node: PeerNode): vscode.TreeItem {
    const unread = node.unread > 0 ? inert`${node.unread} unread` : undefined;
    const item = createTreeItem(
      {
        label: node.label,
        description: unread ? inert`${node.description} · ${unread}` : node.description,
        tooltip: node.tooltip,
        accessibilityLabel: inert`${node.label}, ${node.status}${unread ? inert`, ${unread}` : ''}`,
      },
      { id: node.conversationId },
    );
    const style = STATUS_ICON[node.status];
    item.iconPath = new vscode.ThemeIcon(node.unread > 0 ? 'comment-unresolved' : style.icon, style.color ? new vscode.ThemeColor(style.color) : undefined);
    item.contextValue = node.status === 'offline' ? 'peer.offline' : 'peer.online';
    item.command = { command: 'teamMessenger.openConversation', title: 'Open Conversation', arguments: [node.conversationId] };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node?.kind === 'section') return node.section === 'channels' ? this.channelRows() : this.peopleRows();
    if (node) return [];
    const roster = this.messenger.roster();
    // The banner (the view's message) says why; these rows are the ways on.
    const actions = this.failing() ? FAILURE_ACTIONS : [];
    if (roster.state === 'idle' || roster.state === 'closed') return actions;
    // A relay never reached has nobody to list: "Direct Messages 0 online" under the banner would
    // read as a team with no one in it.
    if (actions.length > 0 && isEmpty(roster.online) && isEmpty(roster.known)) return actions;
    // Only while this window's client is on its own relay: an invite is made by the relay one is on.
    const hosting = this.relay.hosting;
    const onOwnRelay = hosting !== undefined && this.messenger.server === `127.0.0.1:${hosting.port}`;
    const hostingRow: HostingNode[] = hosting && onOwnRelay ? [{ kind: 'hosting', address: hosting.addresses[0] ?? `port ${hosting.port}` }] : [];
    return [...actions, ...hostingRow, CHANNELS, PEOPLE];
  }

  private channelRows(): ChannelSectionNode[] {
    return buildChannelSection(this.messenger.channels(), this.messenger.store.unreadOf(EVERYONE));
  }

  private peopleRows(): PeersViewNode[] {
    const roster = this.messenger.roster();
    const store = this.messenger.store;
    return buildPeersView({
      online: roster.online,
      known: roster.known,
      selfId: roster.selfId,
      unreadByConversation: (id) => store.unreadOf(id),
      rttByClient: this.messenger.rtt,
      presence: roster.presence,
      watched: roster.watched,
      selfName: this.messenger.selfName,
    });
  }

  private failing(): boolean {
    return this.health.failure !== undefined && this.messenger.connectionState !== 'connected';
  }

  /** Coalesced: a burst of joins redraws once. */
  refresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setTimeout(() => {
      this.refreshQueued = false;
      if (this.disposed) return;
      this.changed.fire();
      this.view.badge = badgeFor(this.messenger.store.unreadTotal);
      const failure = this.failing() ? this.health.failure : undefined;
      const retrying = this.messenger.connectionState === 'reconnecting';
      this.view.message = failure ? inert`${failure.text}.${retrying ? ' Still trying in the background.' : ''}` : undefined;
    }, 16);
  }
}

function channelItem(node: ChannelNode): vscode.TreeItem {
  const icon = node.context === 'channel.general' ? 'organization' : node.private ? 'lock' : 'comment-discussion';
  return createTreeItem(
    { label: node.label, description: node.description, tooltip: node.tooltip, accessibilityLabel: node.accessibilityLabel },
    {
      id: node.conversationId,
      iconPath: new vscode.ThemeIcon(icon, node.mentions > 0 ? new vscode.ThemeColor('charts.orange') : undefined),
      contextValue: node.context,
      command: { command: 'teamMessenger.openConversation', title: 'Open Channel', arguments: [node.conversationId] },
    },
  );
}

function isEmpty(items: Iterable<unknown>): boolean {
  for (const _ of items) return false;
  return true;
}
