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
  /** dist/webview.js */
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
<div class="app">
  <nav class="sidebar" aria-label="Conversations">
    <div class="sidebar-header">
      <span class="sidebar-title" id="conversations-label">Conversations</span>
      <button type="button" class="icon-button" id="new-group" aria-label="New group…" title="New group…"><span class="codicon codicon-add" aria-hidden="true"></span></button>
    </div>
    <div class="conversation-list" id="conversation-list" role="listbox" tabindex="0" aria-labelledby="conversations-label"></div>
  </nav>
  <main class="conversation" id="conversation">
    <div class="banner" id="banner" role="status" hidden></div>
    <header class="conversation-header" id="conversation-header"></header>
    <div class="messages" id="messages">
      <div class="older" id="older" hidden><button type="button" class="link-button" id="load-older" aria-label="Load older messages">Load older</button></div>
      <div class="log" id="log" role="log" aria-live="polite" aria-label="Messages"></div>
      <div class="empty" id="empty" hidden></div>
    </div>
    <div class="typing" id="typing" aria-live="polite"></div>
    <div class="composer-note" id="composer-note" role="status" hidden><span class="codicon codicon-info" aria-hidden="true"></span><span id="composer-note-text"></span><button type="button" class="link-button" id="composer-connect" aria-label="Connect to a relay…" title="Connect to a relay…" hidden>Connect…</button></div>
    <div class="composer" id="composer">
      <textarea id="composer-input" rows="1" placeholder="Message" aria-label="Message" disabled></textarea>
      <button type="button" class="icon-button send" id="send" aria-label="Send (Enter)" title="Send (Enter)" disabled><span class="codicon codicon-send" aria-hidden="true"></span></button>
    </div>
  </main>
</div>
<script nonce="${nonce}" src="${escapeAttr(options.scriptUri)}"></script>
</body>
</html>
`;
}
