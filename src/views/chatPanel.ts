import * as vscode from 'vscode';
import { ComposerState, ToWebview } from './chatProtocol';
import { handleFromWebview } from './chatInbox';
import { ComposerSends } from './composerSends';
import type { TextLink } from '../net/protocol/codeMessages';
import { chatHtml, makeNonce } from './chatHtml';
import { ChatRequests, PAGE } from './chatRequests';
import { closeTab, findWebviewTab, showTab } from './chatTab';
import { channelFor, conversationSummaries, conversationView, seenView } from './chatViews';
import { composerState } from './composerState';
import { AttachmentsContext, PanelAttachments } from './attachmentsPanel';
import { DirectoryFeed } from './mentionDirectory';
import { describeConnection } from '../model/connectionText';
import { EVERYONE, isConversationId } from '../model/conversationStore';
import { ConversationId } from '../model/conversationTypes';
import { FileCards } from '../model/fileCards';
import { Disposable, Event } from '../model/lifecycle';
import type { NotifyLevel } from '../model/notificationPolicy';
import { MessengerModel } from '../model/messengerModel';
import { followModel } from './chatPanelFeeds';
import { RichText } from './richText';
import { createWebviewPanel, setStatusBarMessage } from './safeWindow';

/** What every chat panel works with. */
export interface ChatContext {
  extensionUri: vscode.Uri;
  messenger: MessengerModel;
  cards: FileCards;
  /** Images, dropped files and drafts in the composer. */
  attachments?: AttachmentsContext;
  /** Each conversation's notification level, for the header's bell (the NoticeGate's). */
  notifyLevels?: { levelOf(id: ConversationId): NotifyLevel; readonly onDidChange: Event<ConversationId> };
  /** Where the typed `path:line`s of a message about to be sent point in this workspace (issue 28). */
  textLinks?: (text: string) => Promise<TextLink[]>;
}

/** Where show() should go: a conversation, maybe a message in it (a jump), maybe the composer. */
export interface ShowOptions {
  messageId?: string;
  /** The thread `messageId` is a reply in, when known (a link says it): it opens beside. */
  threadId?: string;
}

interface Wanted {
  conversationId: ConversationId | undefined;
  focusComposer: boolean;
  messageId?: string;
  threadId?: string;
  search?: string;
}

const VIEW_TYPE = 'teamMessenger.chat';
/** How long a restored tab may take to build its panel once shown, before a fresh one replaces it. */
const RESTORE_MS = 3000;

/**
 * The chat panel: one webview in the editor area, over the Messenger's store. Everything the
 * webview shows arrives as typed messages (chatProtocol.ts); everything it asks for is parsed
 * before it is acted on. Hidden panels keep nothing alive: when shown again the webview asks
 * for its state with `ready` and gets it in one `init`. Pages beyond the store, threads, search
 * and message changes go through ChatRequests.
 */
export class ChatPanel extends Disposable {
  private static current: ChatPanel | undefined;
  /** What to show once a restored tab has built its panel (see show()). */
  private static wanted: Wanted | undefined;
  /** Where the last panel was, for the next one opened without a conversation. */
  private static lastSelected: ConversationId | undefined;
  private selected: ConversationId = EVERYONE;
  /** Where "New messages" goes in the selected conversation (taken before it was marked read). */
  private divider: { conversationId: ConversationId; messageId: string } | undefined;
  /** The webview's script is running and has said `ready` (false again once the panel is hidden). */
  private ready = false;
  /** Focus the composer once the webview can take it (it may still be loading, or be re-created). */
  private focusWanted = false;
  /** Open the search pane once the webview is up (undefined: not asked). */
  private searchWanted: { query?: string } | undefined;
  /** A jump asked for before the webview was up (it goes out after `init`). */
  private jumpWanted: { conversationId: ConversationId; messageId: string; threadId?: string } | undefined;
  private listQueued = false;
  private visible = false;
  /** What the webview shows as "Seen by" and in the header, to send only changes. */
  private lastSeen = '';
  private lastHeader = '';
  private composer: ComposerState;
  private readonly requests: ChatRequests;
  /** Whom the composer can mention. */
  private readonly directory: DirectoryFeed;
  private readonly richText: RichText;
  private readonly attachments: PanelAttachments | undefined;
  private readonly sends: ComposerSends | undefined;

  /**
   * Opens the panel (or brings it forward) on `conversationId`; without one, on the most
   * recent conversation with unread messages, else where it was. With `options.messageId`, opens
   * the conversation around that message and highlights it. After a window reload the restored
   * tab is shown rather than a second one opened.
   */
  static show(context: ChatContext, conversationId?: ConversationId, focusComposer = false, options: ShowOptions = {}): void {
    ChatPanel.open(context, { conversationId: conversationId ?? context.messenger.store.mostRecentUnread(), focusComposer, ...options });
  }

  /** Opens the panel with its search pane, searching for `query` when given. */
  static showSearch(context: ChatContext, query?: string): void {
    ChatPanel.open(context, { conversationId: undefined, focusComposer: false, search: query ?? '' });
  }

  private static open(context: ChatContext, wanted: Wanted): void {
    const panel = ChatPanel.current;
    if (panel) {
      panel.panel.reveal(undefined, false);
      panel.apply(wanted);
      return;
    }
    const restored = findWebviewTab(VIEW_TYPE);
    if (restored && !ChatPanel.wanted) {
      ChatPanel.wanted = wanted;
      void showTab(restored).then(undefined, () => undefined);
      setTimeout(() => {
        if (!ChatPanel.wanted) return;
        // The tab never built its panel (closed meanwhile, or VS Code would not): a fresh one.
        const again = ChatPanel.wanted;
        ChatPanel.wanted = undefined;
        void closeTab(restored).then(() => ChatPanel.open(context, again));
      }, RESTORE_MS);
      return;
    }
    if (restored) {
      ChatPanel.wanted = wanted;
      return;
    }
    const webviewPanel = createWebviewPanel(VIEW_TYPE, 'Team Messenger', vscode.ViewColumn.Active, ChatPanel.options(context.extensionUri));
    const created = new ChatPanel(webviewPanel, context, undefined);
    created.apply({ ...wanted, conversationId: wanted.conversationId ?? ChatPanel.lastSelected });
  }

  /** Keeps the panel across window reloads. */
  static registerSerializer(context: ChatContext): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state: unknown) => {
        webviewPanel.webview.options = ChatPanel.options(context.extensionUri);
        const saved = typeof state === 'object' && state !== null && 'selectedId' in state ? state.selectedId : undefined;
        const wanted = ChatPanel.wanted;
        ChatPanel.wanted = undefined;
        const panel = new ChatPanel(webviewPanel, context, isConversationId(saved) ? saved : undefined);
        if (wanted) panel.apply(wanted);
      },
    });
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Only the built assets: nothing else of the extension or the disk can be loaded.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      enableFindWidget: true,
    };
  }

  private readonly messenger: MessengerModel;
  private readonly cards: FileCards;
  private readonly notifyLevels: ChatContext['notifyLevels'];

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: ChatContext,
    initial: ConversationId | undefined,
  ) {
    super();
    const extensionUri = context.extensionUri;
    this.messenger = context.messenger;
    this.cards = context.cards;
    this.notifyLevels = context.notifyLevels;
    const messenger = this.messenger;
    this.composer = composerState(messenger);
    this.requests = new ChatRequests(messenger, this.cards, (message) => this.post(message), {
      // Insiders, VSCodium, code-server each open their own scheme: the link says the one in use.
      uriScheme: vscode.env.uriScheme,
      write: (text) => vscode.env.clipboard.writeText(text),
      copied: () => void setStatusBarMessage('$(link) Link to message copied', 4000),
    });
    this.attachments = context.attachments && this._register(new PanelAttachments(context.attachments, (message) => this.post(message)));
    this.sends = context.textLinks && new ComposerSends(context.textLinks);
    this.richText = this._register(new RichText(context.extensionUri, (message) => this.post(message)));
    this.directory = new DirectoryFeed(messenger, (message) => this.post(message));
    ChatPanel.current = this;
    if (initial) this.selected = initial;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'team-messenger.svg');
    const webview = panel.webview;
    const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
    webview.html = chatHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'chat.css'),
      codiconsUri: asset('dist', 'codicons', 'codicon.css'),
    });
    for (const subscription of [
      webview.onDidReceiveMessage((raw: unknown) =>
        handleFromWebview(raw, {
          messenger,
          cards: this.cards,
          requests: this.requests,
          richText: this.richText,
          ...(this.attachments ? { attachments: this.attachments } : {}),
          ...(this.sends ? { sends: this.sends } : {}),
          panel: {
            ready: () => this.onReady(),
            select: (id) => this.select(id),
            jump: (id, messageId) => void this.jump(id, messageId),
            unsent: (id, text) => {
              this.post({ type: 'unsent', conversationId: id, text });
              this.updateComposer(true);
            },
          },
        }),
      ),
      panel.onDidChangeViewState(() => {
        // A hidden panel's webview is torn down (no retainContextWhenHidden): messages would be lost.
        // Shown again, its page starts over and says `ready`, and `init` brings it up to date.
        if (!panel.visible) this.ready = false;
        this.updateActive();
      }),
      panel.onDidDispose(() => this.dispose()),
      ...followModel(messenger, this.cards, {
        selected: () => this.selected,
        visible: () => this.visible,
        post: (message) => this.post(message),
        sendSelected: () => this.sendSelected(),
        updateSeen: () => this.updateSeen(),
        queueList: () => this.queueList(),
        updateComposer: () => this.updateComposer(),
        headerChanged: () => this.headerKey() !== this.lastHeader,
        updateDirectory: () => this.directory.update(),
        connectionView: () => this.connectionView(),
      }),
    ]) {
      this._register(subscription);
    }
    // The header's bell follows the conversation's notification level.
    const levels = this.notifyLevels?.onDidChange((id) => id === this.selected && this.ready && this.post({ type: 'conversation', conversation: this.view() }));
    if (levels) this._register(levels);
    this.updateActive();
  }

  /** Shows a conversation (from its newest messages), a message in one, the search pane, the composer. */
  private apply(wanted: Wanted): void {
    if (wanted.conversationId && wanted.messageId) void this.jump(wanted.conversationId, wanted.messageId, wanted.threadId);
    else if (wanted.conversationId) this.select(wanted.conversationId);
    if (wanted.search !== undefined) this.showSearch(wanted.search);
    if (wanted.focusComposer) this.focusComposer();
  }

  select(conversationId: ConversationId): void {
    this.setSelected(conversationId);
    this.sendSelected();
    this.updateActive();
  }

  override dispose(): void {
    if (this.disposed) return;
    if (ChatPanel.current === this) ChatPanel.current = undefined;
    this.messenger.visibleConversation = undefined;
    this.messenger.store.setActive(undefined);
    super.dispose();
    this.panel.dispose();
  }

  private setSelected(conversationId: ConversationId): void {
    this.selected = conversationId;
    ChatPanel.lastSelected = conversationId;
    this.messenger.store.ensure(conversationId);
    this.takeDivider();
  }

  /** Notes the first unread message, before looking at the conversation marks it read. */
  private takeDivider(): void {
    const messageId = this.messenger.store.firstUnreadId(this.selected);
    this.divider = messageId !== undefined ? { conversationId: this.selected, messageId } : undefined;
  }

  private async jump(conversationId: ConversationId, messageId: string, threadId?: string): Promise<void> {
    this.setSelected(conversationId);
    this.updateActive();
    this.queueList();
    if (!this.ready) {
      this.jumpWanted = { conversationId, messageId, ...(threadId !== undefined ? { threadId } : {}) };
      return;
    }
    if (!(await this.requests.jump(conversationId, messageId, threadId)) && this.selected === conversationId) this.sendSelected();
  }

  private showSearch(query: string): void {
    this.searchWanted = query.trim() !== '' ? { query } : {};
    if (this.ready) this.flushSearch();
  }

  private flushSearch(): void {
    const wanted = this.searchWanted;
    this.searchWanted = undefined;
    if (wanted) this.post({ type: 'show-search', ...wanted });
  }

  // ---------------------------------------------------------------- from the webview

  /** The webview (re)started: everything it shows, then what was asked for while it loaded. */
  private onReady(): void {
    this.ready = true;
    this.post(this.init());
    this.directory.update(true);
    this.flushSearch();
    if (this.jumpWanted) {
      const { conversationId, messageId, threadId } = this.jumpWanted;
      this.jumpWanted = undefined;
      if (conversationId === this.selected) void this.jump(conversationId, messageId, threadId);
    }
    if (this.focusWanted) this.focusComposer();
  }

  // ---------------------------------------------------------------- to the webview

  /** Now if the webview is up, else right after its next `ready` (a new or re-shown panel is still loading). */
  private focusComposer(): void {
    this.focusWanted = !(this.ready && this.panel.visible);
    if (!this.focusWanted) this.post({ type: 'focus-composer' });
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private init(): ToWebview {
    return {
      type: 'init',
      self: { clientId: this.messenger.selfId, name: this.messenger.selfName },
      connection: this.connectionView(),
      conversations: conversationSummaries(this.messenger, this.selected),
      selected: this.view(),
      composer: this.composer,
      ...(this.richText.codeTheme ? { codeTheme: this.richText.codeTheme } : {}),
      ...(this.attachments ? { drafts: this.attachments.draftViews() } : {}),
    };
  }

  /** Tells the composer when what Enter does changed (`force`: say it again, e.g. after a refused send). */
  private updateComposer(force = false): void {
    const next = composerState(this.messenger);
    if (!force && next.mode === this.composer.mode && next.note === this.composer.note) return;
    this.composer = next;
    this.post({ type: 'composer', composer: next });
  }

  private sendSelected(): void {
    this.post({ type: 'conversation', conversation: this.view() });
  }

  /** "Seen by" when it changed (someone read further, or the user wrote again). */
  private updateSeen(): void {
    const held = this.messenger.store.get(this.selected)?.messages ?? [];
    const seen = seenView(this.messenger, this.selected, held);
    const key = JSON.stringify(seen ?? null);
    if (key === this.lastSeen) return;
    this.lastSeen = key;
    this.post({ type: 'seen', conversationId: this.selected, seen });
  }

  private queueList(): void {
    if (this.listQueued) return;
    this.listQueued = true;
    setTimeout(() => {
      this.listQueued = false;
      if (!this.disposed) this.post({ type: 'conversations', conversations: conversationSummaries(this.messenger, this.selected) });
    }, 30);
  }

  /** The selected conversation from the store: its newest page, "New messages" where it was. */
  private view() {
    const id = this.selected;
    const page = this.messenger.store.page(id, PAGE);
    const divider = this.divider?.conversationId === id ? this.divider.messageId : undefined;
    const view = conversationView(this.messenger, id, {
      messages: page.messages,
      // Beyond the store, the relay may hold more: the webview asks when the reader gets there.
      hasOlder: page.hasOlder || this.messenger.connectionState === 'connected',
      cards: this.cards.cardsOf(id),
      ...(divider !== undefined ? { firstUnreadId: divider } : {}),
    });
    if (this.notifyLevels) view.notify = this.notifyLevels.levelOf(id);
    this.lastSeen = JSON.stringify(view.seen ?? null);
    this.lastHeader = this.headerKey();
    return view;
  }

  /** What the selected conversation's header shows that a channel change may change. */
  private headerKey(): string {
    const channel = channelFor(this.messenger, this.selected);
    if (!channel) return '';
    return JSON.stringify([channel.name, channel.topic, channel.private, channel.archived, channel.memberCount, channel.members?.slice(0, 50)]);
  }

  private connectionView() {
    return describeConnection(this.messenger.connectionState, {
      server: this.messenger.server,
      online: this.messenger.othersOnline(),
      ...this.messenger.connectionDetails,
    }).view;
  }

  /** The conversation on screen stays read (here and, through the relay, on the user's other machines). */
  private updateActive(): void {
    const visible = this.panel.visible && this.panel.active;
    // Coming into view: where the unread messages start, before they are marked read.
    if (visible && !this.visible) this.takeDivider();
    this.visible = visible;
    this.messenger.visibleConversation = visible ? this.selected : undefined;
    this.messenger.store.setActive(visible ? this.selected : undefined);
    if (visible) this.messenger.markRead(this.selected);
  }
}
