import type { ComposerState, ConversationSummary, ConversationView, ToWebview } from '../chatProtocol';
import { ConnectionBanner } from './banner';
import { Composer } from './composer';
import { ConversationList } from './conversationList';
import { ConversationPane } from './conversationPane';
import { byId } from './dom';
import { TypingIndicator } from './typingIndicator';
import { UiState } from './uiState';
import { post } from './vscodeApi';

/**
 * The chat webview's script: wires the parts to the extension. It says `ready`, the extension
 * answers `init` with everything, and then sends what changes. UI-only state (selection,
 * drafts, scroll positions) lives in `vscode.setState` so a re-created page comes back as it was.
 */

const ui = new UiState();
let conversations: ConversationSummary[] = [];

const banner = new ConnectionBanner();
const typing = new TypingIndicator();

const pane = new ConversationPane({
  retry: (messageId) => withShown((conversationId) => post({ type: 'retry', conversationId, messageId })),
  openCode: (messageId) => withShown((conversationId) => post({ type: 'open-code', conversationId, messageId })),
  fileAction: (cardId, action, place) => post({ type: 'file-action', cardId, action, ...(place !== undefined ? { place } : {}) }),
  loadOlder: () => withShown((conversationId) => post({ type: 'load-older', conversationId })),
  scrolled: (spot) => withShown((conversationId) => ui.setScroll(conversationId, spot)),
});

const list = new ConversationList(byId('conversation-list'), select);

const composer = new Composer({
  send: (text) => withShown((conversationId) => post({ type: 'send', conversationId, text })),
  typing: () => withShown((conversationId) => post({ type: 'typing', conversationId })),
  draftChanged: (text) => withShown((conversationId) => ui.setDraft(conversationId, text)),
  connect: () => post({ type: 'connect' }),
});

/** Until the extension says otherwise (an older extension says nothing): Enter sends. */
const SEND: ComposerState = { mode: 'send', note: '' };

byId('new-group').addEventListener('click', () => post({ type: 'new-group' }));

/** Runs `action` for the conversation on screen, if there is one. */
function withShown(action: (conversationId: string) => void): void {
  const id = pane.conversationId;
  if (id !== undefined) action(id);
}

/** Asks for a conversation; the extension answers with it (`conversation`). */
function select(conversationId: string): void {
  ui.setSelected(conversationId);
  list.setSelected(conversationId);
  post({ type: 'select', conversationId });
}

function showConversation(view: ConversationView): void {
  const switched = pane.conversationId !== view.id;
  pane.show(view, switched ? ui.scroll(view.id) : undefined);
  ui.setSelected(view.id);
  list.setSelected(view.id);
  if (switched) composer.setConversation(view.id, ui.draft(view.id), `Message ${view.title}`);
  typing.show(view.id);
}

function showNothing(): void {
  pane.showNothing();
  list.setSelected(undefined);
  composer.setConversation(undefined, '', '');
  typing.show(undefined);
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'init': {
      pane.setSelfName(message.self.name);
      banner.update(message.connection);
      composer.setState(message.composer ?? SEND);
      conversations = message.conversations;
      list.render(conversations);
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
    case 'message':
      if (message.conversationId !== pane.conversationId) break;
      pane.upsert(message.message, message.previousId);
      if (!message.message.own) typing.stopped(message.conversationId, message.message.fromName);
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
    case 'unsent':
      // Back into the box it came from; for another conversation, into that one's draft.
      if (message.conversationId === pane.conversationId) composer.restore(message.text);
      else ui.setDraft(message.conversationId, [message.text, ui.draft(message.conversationId)].filter((t) => t.trim() !== '').join('\n'));
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
  try {
    handle(data as ToWebview);
  } catch (err) {
    console.error('Team Messenger: could not show an update', err);
  }
});

showNothing();
post({ type: 'ready' });
