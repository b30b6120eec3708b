import * as vscode from 'vscode';
import { ComposerState, FromWebview, ConversationSummary, ConversationView, ToWebview } from './chatProtocol';
import { chatHtml, makeNonce } from './chatHtml';
import { closeTab, findWebviewTab, showTab } from './chatTab';
import { composerState } from './composerState';
import { openPlace, revealPlace } from './fileActions';
import { describeConnection } from '../model/connectionText';
import { conversationKind, EVERYONE, isConversationId, membersOf } from '../model/conversationStore';
import { ConversationId } from '../model/conversationTypes';
import { FileCards } from '../model/fileCards';
import { Disposable } from '../model/lifecycle';
import { MessengerModel } from '../model/messengerModel';
import { createWebviewPanel } from './safeWindow';

/** What every chat panel works with. */
export interface ChatContext {
  extensionUri: vscode.Uri;
  messenger: MessengerModel;
  cards: FileCards;
}

const VIEW_TYPE = 'teamMessenger.chat';
/** Messages sent to the webview per conversation at first; "Load older" adds this many more. */
const PAGE = 200;
/** How long a restored tab may take to build its panel once shown, before a fresh one replaces it. */
const RESTORE_MS = 3000;

/**
 * The chat panel: one webview in the editor area, over the Messenger's store. Everything the
 * webview shows arrives as typed messages (chatProtocol.ts); everything it asks for is parsed
 * before it is acted on. Hidden panels keep nothing alive: when shown again the webview asks
 * for its state with `ready` and gets it in one `init`.
 */
export class ChatPanel extends Disposable {
  private static current: ChatPanel | undefined;
  /** What to show once a restored tab has built its panel (see show()). */
  private static wanted: { conversationId: ConversationId | undefined; focusComposer: boolean } | undefined;
  /** Where the last panel was, for the next one opened without a conversation. */
  private static lastSelected: ConversationId | undefined;
  private selected: ConversationId = EVERYONE;
  private readonly limits = new Map<ConversationId, number>();
  /** The webview's script is running and has said `ready` (false again once the panel is hidden). */
  private ready = false;
  /** Focus the composer once the webview can take it (it may still be loading, or be re-created). */
  private focusWanted = false;
  private listQueued = false;
  private composer: ComposerState;

  /**
   * Opens the panel (or brings it forward) on `conversationId`; without one, on the most
   * recent conversation with unread messages, else where it was. After a window reload the
   * restored tab is shown rather than a second one opened.
   */
  static show(context: ChatContext, conversationId?: ConversationId, focusComposer = false): void {
    const target = conversationId ?? context.messenger.store.mostRecentUnread();
    const panel = ChatPanel.current;
    if (panel) {
      panel.panel.reveal(undefined, false);
      if (target) panel.select(target);
      if (focusComposer) panel.focusComposer();
      return;
    }
    const restored = findWebviewTab(VIEW_TYPE);
    if (restored && !ChatPanel.wanted) {
      ChatPanel.wanted = { conversationId: target, focusComposer };
      void showTab(restored).then(undefined, () => undefined);
      setTimeout(() => {
        if (!ChatPanel.wanted) return;
        // The tab never built its panel (closed meanwhile, or VS Code would not): a fresh one.
        ChatPanel.wanted = undefined;
        void closeTab(restored).then(() => ChatPanel.show(context, target, focusComposer));
      }, RESTORE_MS);
      return;
    }
    if (restored) {
      ChatPanel.wanted = { conversationId: target, focusComposer };
      return;
    }
    const webviewPanel = createWebviewPanel(VIEW_TYPE, 'Team Messenger', vscode.ViewColumn.Active, ChatPanel.options(context.extensionUri));
    const created = new ChatPanel(webviewPanel, context, undefined);
    const initial = target ?? ChatPanel.lastSelected;
    if (initial) created.select(initial);
    if (focusComposer) created.focusComposer();
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
        if (wanted?.conversationId) panel.select(wanted.conversationId);
        if (wanted?.focusComposer) panel.focusComposer();
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

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: ChatContext,
    initial: ConversationId | undefined,
  ) {
    super();
    const extensionUri = context.extensionUri;
    this.messenger = context.messenger;
    this.cards = context.cards;
    const messenger = this.messenger;
    this.composer = composerState(messenger);
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
      webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden panel's webview is torn down (no retainContextWhenHidden): messages would be lost.
        // Shown again, its page starts over and says `ready`, and `init` brings it up to date.
        if (!panel.visible) this.ready = false;
        this.updateActive();
      }),
      panel.onDidDispose(() => this.dispose()),
      messenger.onStoreChanged((e) => {
        // One message changed: send just it. Anything broader (a reset, a new store): the whole view.
        if (e.conversationId === this.selected && e.message) {
          this.post({ type: 'message', conversationId: this.selected, message: e.message, ...(e.previousId ? { previousId: e.previousId } : {}) });
        } else if (e.conversationId === undefined || e.conversationId === this.selected) this.sendSelected();
        this.queueList();
        // A new store (the first connection) may turn "cannot send" into "queue while offline".
        if (e.conversationId === undefined) this.updateComposer();
      }),
      messenger.onRosterChanged(() => {
        this.queueList();
        this.post({ type: 'connection', connection: this.connectionView() });
        this.updateComposer();
      }),
      messenger.onConnectionChanged(() => {
        this.post({ type: 'connection', connection: this.connectionView() });
        this.updateComposer();
      }),
      messenger.onTyping((t) => this.post({ type: 'typing', conversationId: t.conversationId, names: t.names })),
      this.cards.onDidChange((card) => {
        if (card.conversationId === this.selected) this.post({ type: 'file-card', card });
      }),
    ]) {
      this._register(subscription);
    }
    this.updateActive();
  }

  select(conversationId: ConversationId): void {
    this.selected = conversationId;
    ChatPanel.lastSelected = conversationId;
    this.messenger.store.ensure(conversationId);
    this.updateActive();
    this.sendSelected();
  }

  override dispose(): void {
    if (this.disposed) return;
    if (ChatPanel.current === this) ChatPanel.current = undefined;
    this.messenger.visibleConversation = undefined;
    this.messenger.store.setActive(undefined);
    super.dispose();
    this.panel.dispose();
  }

  // ---------------------------------------------------------------- from the webview

  private onMessage(raw: unknown): void {
    const parsed = FromWebview.safeParse(raw);
    if (!parsed.success) return; // a webview bug or tampering: ignored, never trusted
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post(this.init());
        if (this.focusWanted) this.focusComposer();
        return;
      case 'select':
        if (isConversationId(message.conversationId)) this.select(message.conversationId);
        return;
      case 'send':
        if (!isConversationId(message.conversationId) || !message.text.trim()) return;
        // Not kept (no connection yet): the text goes back into the box, never lost.
        if (!this.messenger.send(message.conversationId, message.text)) {
          this.post({ type: 'unsent', conversationId: message.conversationId, text: message.text });
          this.updateComposer(true);
        }
        return;
      case 'typing':
        if (isConversationId(message.conversationId)) this.messenger.sendTyping(message.conversationId);
        return;
      case 'retry':
        this.messenger.retry(message.conversationId, message.messageId);
        return;
      case 'open-code': {
        const found = this.messenger.store.get(message.conversationId)?.messages.find((m) => m.id === message.messageId);
        if (found?.code) void vscode.commands.executeCommand('teamMessenger.openSharedCode', found.code, found.text);
        return;
      }
      case 'new-group':
        void vscode.commands.executeCommand('teamMessenger.newGroupConversation');
        return;
      case 'load-older':
        this.limits.set(message.conversationId, (this.limits.get(message.conversationId) ?? PAGE) + PAGE);
        if (message.conversationId === this.selected) this.sendSelected();
        return;
      case 'file-action':
        void this.fileAction(message.cardId, message.action, message.place ?? 0);
        return;
      case 'connect':
        void vscode.commands.executeCommand('teamMessenger.connect');
        return;
    }
  }

  /** A card's button: the card and its paths are looked up here, never taken from the webview. */
  private async fileAction(cardId: string, action: Extract<FromWebview, { type: 'file-action' }>['action'], index: number): Promise<void> {
    if (action === 'accept') return this.cards.accept(cardId);
    if (action === 'decline') return this.cards.decline(cardId);
    if (action === 'cancel') return this.cards.cancel(cardId);
    const place = this.cards.get(cardId)?.saved?.[index];
    if (!place) return;
    if (action === 'open') await openPlace(place);
    else await revealPlace(place);
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
      conversations: this.summaries(),
      selected: this.view(this.selected),
      composer: this.composer,
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
    const view = this.view(this.selected);
    if (view) this.post({ type: 'conversation', conversation: view });
  }

  private queueList(): void {
    if (this.listQueued) return;
    this.listQueued = true;
    setTimeout(() => {
      this.listQueued = false;
      this.post({ type: 'conversations', conversations: this.summaries() });
    }, 30);
  }

  private view(id: ConversationId): ConversationView | undefined {
    const store = this.messenger.store;
    const page = store.page(id, this.limits.get(id) ?? PAGE);
    return {
      id,
      title: this.title(id),
      kind: conversationKind(id),
      memberNames: membersOf(id).map((m) => this.messenger.nameOf(m)),
      messages: page.messages,
      hasOlder: page.hasOlder,
      cards: this.cards.cardsOf(id),
    };
  }

  /** Everyone, every online peer (a conversation or not), then every stored conversation. */
  private summaries(): ConversationSummary[] {
    const store = this.messenger.store;
    const out = new Map<ConversationId, ConversationSummary>();
    const add = (id: ConversationId) => {
      if (out.has(id)) return;
      const conversation = store.get(id);
      const last = conversation?.messages[conversation.messages.length - 1];
      const members = membersOf(id);
      out.set(id, {
        id,
        title: this.title(id),
        kind: conversationKind(id),
        online: id === EVERYONE ? true : members.some((m) => this.messenger.isOnline(m)),
        unread: store.unreadOf(id),
        lastText: last ? `${last.own ? 'You' : last.fromName}: ${last.code ? `shared ${last.code.path}` : last.text}`.slice(0, 200) : '',
        lastActivity: conversation?.lastActivity ?? 0,
      });
    };
    add(EVERYONE);
    const roster = this.messenger.roster();
    for (const peer of roster.online) if (peer.clientId !== roster.selfId) add(`peer:${peer.clientId}`);
    for (const conversation of store.conversations) add(conversation.id);
    const [everyone, ...rest] = [...out.values()];
    rest.sort((a, b) => b.lastActivity - a.lastActivity || a.title.localeCompare(b.title));
    return [everyone, ...rest];
  }

  private title(id: ConversationId): string {
    if (id === EVERYONE) return 'Everyone';
    return membersOf(id)
      .map((m) => this.messenger.nameOf(m))
      .join(', ');
  }

  private connectionView() {
    return describeConnection(this.messenger.connectionState, {
      server: this.messenger.server,
      online: this.messenger.othersOnline(),
      ...this.messenger.connectionDetails,
    }).view;
  }

  /** Unread stays at zero for the conversation on screen; notifications skip it. */
  private updateActive(): void {
    const visible = this.panel.visible && this.panel.active;
    this.messenger.visibleConversation = visible ? this.selected : undefined;
    this.messenger.store.setActive(visible ? this.selected : undefined);
    if (visible) this.messenger.store.markRead(this.selected);
  }
}
