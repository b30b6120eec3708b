import { randomBytes } from 'crypto';

/**
 * The chat webview's document. Pure: plain strings in, HTML out (the caller turns its URIs
 * into webview URIs and strings), so it is testable without VS Code. Everything dynamic
 * arrives later as messages and is rendered by dist/webview.js with DOM calls; the document
 * itself holds only the empty layout the script fills in.
 */
export interface ChatHtmlOptions {
  /** `webview.cspSource`: the origin the webview's own resources are served from. */
  cspSource: string;
  /** A fresh `makeNonce()` per document. */
  nonce: string;
  /** dist/webview.js: an ES module; the bundles it imports (dist/webview-*.js) inherit its nonce. */
  scriptUri: string;
  /** media/chat.css */
  styleUri: string;
  /** dist/codicons/codicon.css */
  codiconsUri: string;
}

/** A value safe inside a double- or single-quoted attribute, and in text. */
export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** 18 random bytes, base64: 24 characters, no padding. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return `default-src 'none'; style-src ${cspSource}; font-src ${cspSource}; ` + `img-src ${cspSource} data:; script-src 'nonce-${nonce}';`;
}

export function chatHtml(options: ChatHtmlOptions): string {
  const csp = escapeAttr(contentSecurityPolicy(options.cspSource, options.nonce));
  const nonce = escapeAttr(options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(options.codiconsUri)}">
<link rel="stylesheet" href="${escapeAttr(options.styleUri)}">
<title>Team Messenger</title>
</head>
<body>
<div class="app" id="app">
  <nav class="sidebar" aria-label="Conversations">
    <div class="sidebar-header">
      <span class="sidebar-title" id="conversations-label">Conversations</span>
      <button type="button" class="icon-button" id="open-search" aria-label="Search messages" title="Search messages"><span class="codicon codicon-search" aria-hidden="true"></span></button>
      <button type="button" class="icon-button" id="open-mentions" aria-label="Mentions" title="Mentions: messages that mention you"><span class="codicon codicon-mention" aria-hidden="true"></span></button>
      <button type="button" class="icon-button" id="new-group" aria-label="New group…" title="New group…"><span class="codicon codicon-add" aria-hidden="true"></span></button>
    </div>
    <div class="conversation-list" id="conversation-list" role="listbox" tabindex="0" aria-labelledby="conversations-label"></div>
  </nav>
  <main class="conversation" id="conversation">
    <div class="banner" id="banner" role="status" hidden></div>
    <header class="conversation-header" id="conversation-header"></header>
    <div class="messages-area">
      <div class="messages" id="messages">
        <div class="log" id="log" role="feed" aria-label="Messages"></div>
        <div class="empty" id="empty" hidden></div>
      </div>
      <div class="history-status" id="history-status" role="status" hidden></div>
      <button type="button" class="jump-latest" id="jump-latest" aria-label="Jump to the latest messages" title="Jump to the latest messages" hidden><span class="codicon codicon-arrow-down" aria-hidden="true"></span>Latest</button>
    </div>
    <div class="visually-hidden" id="announcer" aria-live="polite"></div>
    <div class="typing" id="typing" aria-live="polite"></div>
    <div class="notice" id="notice" role="alert" hidden></div>
    <div class="composer-note" id="composer-note" role="status" hidden><span class="codicon codicon-info" aria-hidden="true"></span><span id="composer-note-text"></span><button type="button" class="link-button" id="composer-connect" aria-label="Connect to a relay…" title="Connect to a relay…" hidden>Connect…</button></div>
    <div class="composer" id="composer">
      <textarea id="composer-input" rows="1" placeholder="Message" aria-label="Message" disabled></textarea>
      <button type="button" class="icon-button send" id="send" aria-label="Send (Enter)" title="Send (Enter)" disabled><span class="codicon codicon-send" aria-hidden="true"></span></button>
    </div>
  </main>
  <aside class="side-pane" id="side-pane" hidden>
    <section class="thread-pane" id="thread-pane" aria-labelledby="thread-title" hidden>
      <header class="pane-header">
        <h2 class="pane-title" id="thread-title">Thread</h2>
        <span class="pane-context" id="thread-context"></span>
        <button type="button" class="icon-button" id="thread-show-parent" aria-label="Show the message in the conversation" title="Show the message in the conversation"><span class="codicon codicon-target" aria-hidden="true"></span></button>
        <button type="button" class="icon-button" id="thread-close" aria-label="Close thread (Escape)" title="Close thread (Escape)"><span class="codicon codicon-close" aria-hidden="true"></span></button>
      </header>
      <div class="thread-messages" id="thread-messages">
        <div class="thread-parent" id="thread-parent"></div>
        <div class="thread-older" id="thread-older" hidden><button type="button" class="link-button" id="thread-load-older" aria-label="Load earlier replies">Earlier replies</button></div>
        <div class="thread-replies" id="thread-replies" role="feed" aria-label="Replies"></div>
        <div class="thread-status" id="thread-status" role="status"></div>
      </div>
      <div class="composer thread-composer" id="thread-composer">
        <textarea id="thread-input" rows="1" placeholder="Reply…" aria-label="Reply in thread"></textarea>
        <button type="button" class="icon-button send" id="thread-send" aria-label="Send reply (Enter)" title="Send reply (Enter)" disabled><span class="codicon codicon-send" aria-hidden="true"></span></button>
      </div>
    </section>
    <section class="search-pane" id="search-pane" aria-labelledby="search-title" hidden>
      <header class="pane-header">
        <h2 class="pane-title" id="search-title">Search</h2>
        <button type="button" class="icon-button" id="search-close" aria-label="Close search (Escape)" title="Close search (Escape)"><span class="codicon codicon-close" aria-hidden="true"></span></button>
      </header>
      <form class="search-box" id="search-form" role="search">
        <input type="search" id="search-input" maxlength="500" placeholder="Search messages" aria-label="Search messages" aria-describedby="search-help" autocomplete="off" spellcheck="false">
        <button type="submit" class="icon-button" id="search-go" aria-label="Search" title="Search (Enter)"><span class="codicon codicon-search" aria-hidden="true"></span></button>
      </form>
      <div class="search-help" id="search-help">Words, "phrases", from:name, in:#channel, in:@name, has:file, has:code, is:mention, before:, after:, on: YYYY-MM-DD</div>
      <div class="search-status" id="search-status" role="status"></div>
      <ul class="search-results" id="search-results" aria-label="Search results"></ul>
      <div class="search-more"><button type="button" class="link-button" id="search-more" aria-label="More results" hidden>More</button></div>
    </section>
  </aside>
</div>
<dialog class="confirm-dialog" id="confirm-dialog" aria-labelledby="confirm-title" aria-describedby="confirm-text">
  <h2 class="confirm-title" id="confirm-title"></h2>
  <p class="confirm-text" id="confirm-text"></p>
  <div class="confirm-actions">
    <button type="button" class="text-button secondary" id="confirm-cancel" aria-label="Cancel">Cancel</button>
    <button type="button" class="text-button primary danger" id="confirm-ok" aria-label="Delete">Delete</button>
  </div>
</dialog>
<script type="module" nonce="${nonce}" src="${escapeAttr(options.scriptUri)}"></script>
</body>
</html>
`;
}
