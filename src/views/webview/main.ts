import type { ComposerState, ConversationSummary, ConversationView, DirectoryView, DraftView, MessageView, ToWebview } from '../chatProtocol';
import { ConnectionBanner } from './banner';
import { withAttachmentState } from './attachmentView';
import { Composer } from './composer';
import { ComposerAttachments, postingTo } from './composerAttachments';
import { ComposerAutocomplete } from './composerAutocomplete';
import { ConfirmDialog } from './confirmDialog';
import { ConversationList } from './conversationList';
import { ConversationPane } from './conversationPane';
import { byId } from './dom';
import { EmojiPicker } from './emojiPicker';
import { grammarArrived, loadFormatterAfterPaint, plainLine, setCodeTheme } from './formatting';
import { MessageCommands } from './messageActions';
import { SearchPane } from './searchPane';
import { ThreadPane } from './threadPane';
import { TypingIndicator } from './typingIndicator';
import { DraftSync } from './draftSync';
import { UiState } from './uiState';
import { post } from './vscodeApi';

/**
 * The chat webview's script: wires the parts to the extension. It says `ready`, the extension
 * answers `init` with everything, and then sends what changes. UI-only state (selection,
 * drafts, scroll positions) lives in `vscode.setState` so a re-created page comes back as it was.
 *
 * Longer than 400 lines because it is the page's composition root: each pane, box and tray is
 * made here with the few lines that tie it to the others, and the switch over what the extension
 * sends puts each message in its part.
 */

const ui = new UiState();
let conversations: ConversationSummary[] = [];
let selfName = '';
/** Whom the composers' autocomplete offers (the extension sends it after `init`). */
let directory: DirectoryView = { people: [], channels: [] };

const banner = new ConnectionBanner();
const typing = new TypingIndicator();
const picker = new EmojiPicker();
const confirm = new ConfirmDialog();
const announcer = byId('announcer');
const notice = byId('notice');
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

const commands = new MessageCommands(
  {
    find: (id) => pane.messages.message(id) ?? thread.message(id),
    replace: (message) => {
      pane.update(message);
      thread.upsert(message, undefined, true);
    },
    selfName: () => selfName,
  },
  picker,
  confirm,
);

const pane = new ConversationPane({
  retry: (messageId) => withShown((conversationId) => post({ type: 'retry', conversationId, messageId })),
  openCode: (messageId) => withShown((conversationId) => post({ type: 'open-code', conversationId, messageId })),
  codeAction: (messageId, request) => withShown((conversationId) => post({ ...request, conversationId, messageId })),
  fileAction: (cardId, action, place) => post({ type: 'file-action', cardId, action, ...(place !== undefined ? { place } : {}) }),
  openThread: (messageId) => withShown((conversationId) => openThread(conversationId, messageId)),
  react: (messageId, emoji, on) => withShown((conversationId) => commands.react(conversationId, messageId, emoji, on)),
  pickReaction: (messageId, anchor) => withShown((conversationId) => commands.pickReaction(conversationId, messageId, anchor)),
  startEdit: (messageId) => pane.messages.startEdit(messageId),
  remove: (messageId) => withShown((conversationId) => void commands.remove(conversationId, messageId)),
  copyLink: (messageId) => withShown((conversationId) => commands.copyLink(conversationId, messageId)),
  openAttachment: (messageId, attachmentId) => withShown((conversationId) => post({ type: 'open-attachment', conversationId, messageId, attachmentId })),
  edit: (messageId, text) => withShown((conversationId) => post({ type: 'edit', conversationId, messageId, text })),
  editEnded: () => composer.focus(),
  loadOlder: (beforeId) => withShown((conversationId) => post({ type: 'load-older', conversationId, ...(beforeId !== undefined ? { beforeId } : {}) })),
  loadNewer: (afterId) => withShown((conversationId) => post({ type: 'load-newer', conversationId, afterId })),
  scrolled: (spot) => withShown((conversationId) => ui.setScroll(conversationId, spot)),
  showLatest: () => withShown((conversationId) => post({ type: 'select', conversationId })),
  openSearch: () => openSearch(),
  notificationSettings: () => withShown((conversationId) => post({ type: 'notification-settings', conversationId })),
});

const thread = new ThreadPane({
  retry: (messageId) => withThread((conversationId) => post({ type: 'retry', conversationId, messageId })),
  openCode: (messageId) => withThread((conversationId) => post({ type: 'open-code', conversationId, messageId })),
  codeAction: (messageId, request) => withThread((conversationId) => post({ ...request, conversationId, messageId })),
  react: (messageId, emoji, on) => withThread((conversationId) => commands.react(conversationId, messageId, emoji, on)),
  pickReaction: (messageId, anchor) => withThread((conversationId) => commands.pickReaction(conversationId, messageId, anchor)),
  remove: (messageId) => withThread((conversationId) => void commands.remove(conversationId, messageId)),
  copyLink: (messageId) => withThread((conversationId) => commands.copyLink(conversationId, messageId)),
  openAttachment: (messageId, attachmentId) => withThread((conversationId) => post({ type: 'open-attachment', conversationId, messageId, attachmentId })),
  edit: (messageId, text) => withThread((conversationId) => post({ type: 'edit', conversationId, messageId, text })),
  reply: (conversationId, parentId, text, urgent) => {
    const images = threadAttachments.readyIds();
    post({
      type: 'reply',
      conversationId,
      parentId,
      text,
      ...mentionsIn(threadAutocomplete, text),
      ...(images.length > 0 ? { attachments: images } : {}),
      ...(urgent ? { urgent: true as const } : {}),
    });
    threadAttachments.sent();
  },
  hasAttachments: (): boolean => threadAttachments.hasReady,
  loadOlder: (conversationId, messageId, beforeId) => post({ type: 'open-thread', conversationId, messageId, beforeId }),
  showParent: (conversationId, parentId) => jump(conversationId, parentId),
  shown: (conversationId, parentId) => {
    threadAttachments.setConversation(threadKey(conversationId, parentId));
    updateSide();
  },
  closed: () => {
    threadAttachments.setConversation(undefined);
    updateSide();
    composer.focus();
  },
});

const search = new SearchPane({
  search: (query, before) => post({ type: 'search', query, ...(before !== undefined ? { before } : {}) }),
  jump: (conversationId, messageId) => jump(conversationId, messageId),
  shown: () => updateSide(),
  closed: () => {
    updateSide();
    composer.focus();
  },
});

const list = new ConversationList(byId('conversation-list'), select);

const composer = new Composer({
  send: (text, urgent) =>
    withShown((conversationId) => {
      const images = attachments.readyIds();
      post({
        type: 'send',
        conversationId,
        text,
        ...mentionsIn(composerAutocomplete, text),
        ...(images.length > 0 ? { attachments: images } : {}),
        ...(urgent ? { urgent: true as const } : {}),
      });
      attachments.sent();
    }),
  typing: () => withShown((conversationId) => post({ type: 'typing', conversationId })),
  draftChanged: (text) =>
    withShown((conversationId) => {
      ui.setDraft(conversationId, text);
      drafts.changed(conversationId, text === '');
    }),
  hasAttachments: () => attachments.hasReady,
  connect: () => post({ type: 'connect' }),
  editLast: () => pane.messages.editLast(),
});

const composerAutocomplete = new ComposerAutocomplete(byId<HTMLTextAreaElement>('composer-input'), () => directory);
const threadAutocomplete = new ComposerAutocomplete(byId<HTMLTextAreaElement>('thread-input'), () => directory);

/** `{ mentions }` for a message being sent, when it mentions anyone. */
function mentionsIn(autocomplete: ComposerAutocomplete, text: string): { mentions?: string[] } {
  const mentions = autocomplete.takeMentions(text);
  return mentions.length > 0 ? { mentions } : {};
}

/** The Mentions list is the search for messages that mention the user (the relay's `is:mention`). */
const MENTIONS_QUERY = 'is:mention';

const attachments = new ComposerAttachments(
  postingTo(
    () => pane.conversationId,
    (conversationId) => {
      if (conversationId === pane.conversationId) composer.attachmentsChanged();
      drafts.changed(conversationId, true);
    },
    showNotice,
  ),
  byId('composer'),
  byId<HTMLTextAreaElement>('composer-input'),
  byId('conversation'),
);

/** The thread box's images: kept per thread (the key), staged for the thread's conversation. */
const threadAttachments: ComposerAttachments = new ComposerAttachments(
  postingTo(
    () => thread.conversationId,
    (key) => {
      if (thread.conversationId !== undefined && key === threadKey(thread.conversationId, thread.parentId!)) thread.attachmentsChanged();
    },
    showNotice,
  ),
  byId('thread-composer'),
  byId<HTMLTextAreaElement>('thread-input'),
  byId('thread-pane'),
  'r',
  'Attachments to send with the reply',
);

function threadKey(conversationId: string, parentId: string): string {
  return `${conversationId}\n${parentId}`;
}

/** Drafts go to the extension too, which keeps them for a page that starts afresh. */
const drafts = new DraftSync(
  (conversationId) => ({ text: ui.draft(conversationId), attachments: attachments.readyIds(conversationId) }),
  (conversationId, draft) => post({ type: 'draft', conversationId, ...draft }),
);

/** Until the extension says otherwise (an older extension says nothing): Enter sends. */
const SEND: ComposerState = { mode: 'send', note: '' };

byId('new-group').addEventListener('click', () => post({ type: 'new-group' }));
byId('open-search').addEventListener('click', () => openSearch());
byId('open-mentions').addEventListener('click', () => openSearch(MENTIONS_QUERY));
document.addEventListener('keydown', (event) => {
  // Escape closes the side pane from anywhere, unless something nearer used it (an edit, the picker).
  if (event.key !== 'Escape' || event.defaultPrevented || confirm.isOpen || picker.isOpen) return;
  if (thread.isOpen) thread.close();
  else if (search.isOpen) search.close();
});

/** Runs `action` for the conversation on screen, if there is one. */
function withShown(action: (conversationId: string) => void): void {
  const id = pane.conversationId;
  if (id !== undefined) action(id);
}

function withThread(action: (conversationId: string) => void): void {
  const id = thread.conversationId;
  if (id !== undefined) action(id);
}

/** Asks for a conversation; the extension answers with it (`conversation`). */
function select(conversationId: string): void {
  ui.setSelected(conversationId);
  list.setSelected(conversationId);
  post({ type: 'select', conversationId });
}

/** Scrolls to a message and highlights it: at once when the conversation on screen holds it, else the extension opens it there. */
function jump(conversationId: string, messageId: string): void {
  if (conversationId === pane.conversationId && pane.messages.jumpTo(messageId)) return;
  post({ type: 'jump', conversationId, messageId });
}

function openThread(conversationId: string, messageId: string): void {
  search.close();
  thread.show(conversationId, messageId, pane.messages.message(messageId), pane.title);
  updateSide();
  post({ type: 'open-thread', conversationId, messageId });
}

function openSearch(query?: string): void {
  thread.close();
  search.show(query);
  updateSide();
}

/** The side pane shows the thread or the search, or is closed. */
function updateSide(): void {
  const open = thread.isOpen || search.isOpen;
  byId('side-pane').hidden = !open;
  byId('app').classList.toggle('with-side', open);
}

function showConversation(view: ConversationView): void {
  const switched = pane.conversationId !== view.id;
  pane.show(view, switched ? ui.scroll(view.id) : undefined);
  ui.setSelected(view.id);
  list.setSelected(view.id);
  if (switched) {
    const readOnly = view.archived ? 'This channel is archived: nothing can be sent to it.' : undefined;
    drafts.flush();
    attachments.setConversation(view.id);
    composer.setConversation(view.id, ui.draft(view.id), `Message ${view.title}`, readOnly);
    if (thread.conversationId !== view.id) thread.close();
  }
  typing.show(view.id);
}

/** The drafts the extension kept: a page that starts afresh (no saved state of its own) takes their text too. */
function takeDrafts(kept: DraftView[]): void {
  attachments.setDrafts(kept);
  for (const draft of kept) if (ui.draft(draft.conversationId) === '' && draft.text !== '') ui.setDraft(draft.conversationId, draft.text);
}

function showNothing(): void {
  pane.showNothing();
  list.setSelected(undefined);
  attachments.setConversation(undefined);
  composer.setConversation(undefined, '', '');
  typing.show(undefined);
}

/** Says a message from someone else out loud (the message list itself is not a live region). */
function announce(message: MessageView): void {
  announcer.textContent = '';
  const text = message.deleted ? '' : message.code ? message.text.slice(0, 300) : plainLine(message.text, 300);
  requestAnimationFrame(() => (announcer.textContent = `${message.fromName}: ${text}`));
}

function showNotice(text: string): void {
  clearTimeout(noticeTimer);
  notice.textContent = text;
  notice.hidden = false;
  noticeTimer = setTimeout(() => (notice.hidden = true), 8_000);
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'init': {
      // Before any message is drawn, so code blocks come up in the theme's colours at once.
      if (message.codeTheme) setCodeTheme(message.codeTheme);
      selfName = message.self.name;
      if (message.drafts) takeDrafts(message.drafts);
      pane.setSelfName(selfName);
      thread.setSelfName(selfName);
      search.setSelfName(selfName);
      banner.update(message.connection);
      composer.setState(message.composer ?? SEND);
      conversations = message.conversations;
      list.render(conversations);
      loadFormatterAfterPaint();
      if (message.selected) {
        showConversation(message.selected);
        break;
      }
      // The extension has no selection (e.g. it restarted): ask for the one this page had.
      const saved = ui.selectedId;
      showNothing();
      if (saved !== undefined && conversations.some((c) => c.id === saved)) select(saved);
      else ui.setSelected(undefined);
      break;
    }
    case 'conversations':
      conversations = message.conversations;
      list.render(conversations);
      break;
    case 'conversation':
      showConversation(message.conversation);
      break;
    case 'message': {
      if (thread.upsert(message.message, message.previousId) && message.message.thread !== undefined) break;
      if (message.conversationId !== pane.conversationId || message.message.thread !== undefined) break;
      const result = pane.upsert(message.message, message.previousId);
      if (!message.message.own) {
        typing.stopped(message.conversationId, message.message.fromName);
        if (result === 'added') announce(message.message);
      }
      break;
    }
    case 'updated':
      if (message.conversationId === pane.conversationId) pane.update(message.message);
      if (message.conversationId === thread.conversationId) thread.upsert(message.message, undefined, true);
      break;
    case 'older':
      if (message.conversationId === pane.conversationId) pane.addOlder(message.messages, message.hasOlder);
      break;
    case 'newer':
      if (message.conversationId === pane.conversationId) pane.addNewer(message.messages, message.hasNewer);
      break;
    case 'thread':
      if (thread.parentId !== message.parentId) {
        if (message.focusId === undefined) break; // a thread the user has closed since
        search.close();
        thread.show(message.conversationId, message.parentId, message.parent ?? pane.messages.message(message.parentId), pane.title);
        updateSide();
      }
      thread.setReplies(message.parentId, message.parent, message.replies, message.hasOlder, message.older ?? false, message.focusId);
      break;
    case 'seen':
      if (message.conversationId === pane.conversationId) pane.setSeen(message.seen);
      break;
    case 'load-failed':
      if (message.what === 'thread') {
        if (message.conversationId === thread.conversationId) thread.loadFailed(message.error);
      } else if (message.conversationId === pane.conversationId) pane.loadFailed(message.what, message.error);
      break;
    case 'search-results':
      search.setResults(message.query, message.hits, message.more, message.append, message.error);
      break;
    case 'show-search':
      openSearch(message.query);
      break;
    case 'notice':
      showNotice(message.text);
      break;
    case 'typing':
      typing.update(message.conversationId, message.names);
      break;
    case 'connection':
      banner.update(message.connection);
      break;
    case 'focus-composer':
      composer.focus();
      break;
    case 'file-card':
      pane.upsertCard(message.card);
      break;
    case 'composer':
      composer.setState(message.composer);
      break;
    case 'attachment-staged':
      // Each tray knows only its own tokens.
      attachments.staged(message.token, message.attachment);
      threadAttachments.staged(message.token, message.attachment);
      break;
    case 'image-to-attach':
      if (message.conversationId === pane.conversationId) attachments.attachBytes(message.name, message.mime, message.data);
      break;
    case 'attachment-refused':
      attachments.refused(message.token, message.error);
      threadAttachments.refused(message.token, message.error);
      break;
    case 'attachment-state': {
      const change = (m: MessageView | undefined) => m && withAttachmentState(m, message.attachmentId, message.state, message.error);
      const inPane = message.conversationId === pane.conversationId ? change(pane.messages.message(message.messageId)) : undefined;
      if (inPane) pane.update(inPane);
      const inThread = message.conversationId === thread.conversationId ? change(thread.message(message.messageId)) : undefined;
      if (inThread) thread.upsert(inThread, undefined, true);
      break;
    }
    case 'directory':
      directory = message.directory;
      break;
    case 'code-theme':
      setCodeTheme(message.theme);
      break;
    case 'grammar':
      grammarArrived(message.language, message.grammars);
      break;
    case 'unsent':
      // Back into the box it came from; for another conversation, into that one's draft.
      if (message.parentId !== undefined && message.parentId === thread.parentId) thread.restore(message.text);
      else if (message.conversationId === pane.conversationId) composer.restore(message.text);
      else ui.setDraft(message.conversationId, [message.text, ui.draft(message.conversationId)].filter((t) => t.trim() !== '').join('\n'));
      break;
  }
}

/** How long showing a conversation took in the page once its data was read (the bench reads it;
 *  copying a message's data into the page is the transport's, before this). */
export const RENDER_MEASURE = 'team-messenger:render-conversation';

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  const received = performance.now();
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
  try {
    handle(data as ToWebview);
    const type = (data as ToWebview).type;
    if (type === 'init' || type === 'conversation') {
      performance.clearMeasures(RENDER_MEASURE);
      performance.measure(RENDER_MEASURE, { start: received, detail: { rows: pane.messages.length, inDom: pane.messages.mountedCount } });
    }
  } catch (err) {
    console.error('Team Messenger: could not show an update', err);
  }
});

showNothing();
post({ type: 'ready' });
