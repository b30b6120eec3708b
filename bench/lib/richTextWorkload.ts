import * as fs from 'node:fs';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import type { CodeThemeView, MessageView, ToWebview } from '../../src/views/chatProtocol';
import { fallbackCodeTheme } from '../../src/views/codeThemeFallback';
import { ChatPage, launchBrowser } from '../../test/webview/chatPage';
import { startWebviewServer } from '../../test/webview/server';
import { CONNECTED, SEND, summary } from '../../test/webview/fixtures';
import { grammarReply, HOSTILE_MARKDOWN } from '../../test/webview/richTextFixtures';
import { median } from './rounds';
import { buildWebview } from './webviewWorkload';

/**
 * W9: formatted messages in the built chat webview, in Chromium (issue 27's budgets). The size of
 * dist/webview.js as built and minified (as `npm run package` ships it); opening the panel (a fresh
 * page: the script loaded and run, `init` with a conversation of markdown and code answered, until
 * its messages are painted, and until its code is coloured); and the render time of each hostile-markdown message and of a large
 * TypeScript block with its grammar loaded, from the message posted to the frame after it shows.
 */

export interface RichTextSpec {
  w: 'richtext';
  /** Fresh page loads to take the median of. */
  opens: number;
}

type Metrics = Record<string, unknown>;

const VIEWPORT = { width: 900, height: 700 };
const CONVERSATION = 'peer:bob';

interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
}
interface PageDocument {
  querySelector(selector: string): unknown;
}
declare const window: PageWindow;
declare const document: PageDocument;
declare function requestAnimationFrame(callback: () => void): void;

export async function runRichText(spec: RichTextSpec, root: string): Promise<Metrics> {
  buildWebview(root);
  const bundle = fs.readFileSync(path.join(root, 'dist', 'webview.js'), 'utf8');
  const minified = transformSync(bundle, { minify: true, loader: 'js', target: 'es2022', legalComments: 'none' }).code;
  const grammars = fs.readdirSync(path.join(root, 'dist', 'grammars')).map((f) => fs.statSync(path.join(root, 'dist', 'grammars', f)).size);
  const server = await startWebviewServer();
  const browser = await launchBrowser();
  try {
    const opens: number[] = [];
    const coloured: number[] = [];
    const scriptReady: number[] = [];
    for (let i = 0; i < spec.opens; i++) {
      const chat = await ChatPage.open(browser, server.url, VIEWPORT);
      try {
        const open = await panelOpen(chat);
        opens.push(open.messagesMs);
        coloured.push(open.colouredMs);
        scriptReady.push(open.scriptReadyMs);
      } finally {
        await chat.close();
      }
    }
    const chat = await ChatPage.open(browser, server.url, VIEWPORT);
    try {
      await chat.send(initMessage([message('warm', 'hello')], fallbackCodeTheme('dark')));
      await chat.send(grammarReply('typescript'));
      const hostile: Record<string, number> = {};
      for (const [i, entry] of HOSTILE_MARKDOWN.entries()) hostile[entry.name] = await timeToScreen(chat, [message(`h${i}`, entry.text)], `h${i}`);
      const bigCode = '```ts\n' + typescriptLines(180) + '\n```';
      const codeMs = await timeToScreen(chat, [message('code-big', bigCode)], 'code-big');
      const hostileWorst = Math.max(...Object.values(hostile));
      return {
        bundleBytes: Buffer.byteLength(bundle),
        bundleMinifiedBytes: Buffer.byteLength(minified),
        grammarFiles: grammars.length,
        grammarBytesLargest: Math.max(...grammars),
        panelOpenMs: median(opens),
        panelOpenRuns: opens,
        /** Until the newest code block on screen was coloured (its grammar loaded and run the first time). */
        panelColouredMs: median(coloured),
        /** Of which: until the page's script had run (loaded, parsed, said `ready`). */
        panelScriptReadyMs: median(scriptReady),
        hostileMaxMs: hostileWorst,
        hostileMs: hostile,
        typescriptBlockChars: bigCode.length,
        typescriptBlockMs: codeMs,
        pageProblems: chat.problems.slice(0, 10),
      };
    } finally {
      await chat.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

/**
 * A fresh page, timed from navigation (the page's time origin): the extension's answers are posted
 * by the page itself the moment it says `ready` (an init script wraps the stand-in VS Code API), so
 * no round trip of the test driver is counted. Returns when the messages were first painted, when
 * the newest TypeScript block (o36) was coloured, and when the script had run.
 */
async function panelOpen(chat: ChatPage): Promise<{ messagesMs: number; colouredMs: number; scriptReadyMs: number }> {
  const messages = Array.from({ length: 40 }, (_, i) =>
    message(
      `o${i}`,
      i % 4 === 0
        ? '```ts\nconst x: number = ' + i + ';\nexport function f() { return x * 2; }\n```'
        : `**note ${i}**: see [docs](https://docs.example/${i}) and \`code\` — @bob in #general`,
    ),
  );
  await chat.context.addInitScript(
    ({ answers }) => {
      const page = window as unknown as { acquireVsCodeApi: () => { postMessage(m: { type: string }): void } } & PageWindow;
      const acquire = page.acquireVsCodeApi;
      page.acquireVsCodeApi = () => {
        const api = acquire();
        const post = api.postMessage.bind(api);
        api.postMessage = (m) => {
          post(m);
          if (m.type === 'ready') for (const answer of answers) page.postMessage(answer, '*');
        };
        return api;
      };
    },
    { answers: [initMessage(messages, fallbackCodeTheme('dark')), grammarReply('typescript')] },
  );
  await chat.page.reload();
  return chat.page.evaluate(async () => {
    let messagesMs = NaN;
    for (;;) {
      await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      if (Number.isNaN(messagesMs) && document.querySelector('[data-message-id="o39"]')) messagesMs = performance.now();
      if (document.querySelector('[data-message-id="o36"] code span')) break;
      if (performance.now() > 60_000) throw new Error('no coloured block a minute after the page loaded');
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    const colouredMs = performance.now();
    // The script runs at the end of <body>: DOMContentLoaded ends once it has run and said `ready`.
    const navigation = (performance.getEntriesByType as (type: string) => unknown[])('navigation')[0] as { domContentLoadedEventEnd: number } | undefined;
    return { messagesMs: Number.isNaN(messagesMs) ? colouredMs : messagesMs, colouredMs, scriptReadyMs: navigation?.domContentLoadedEventEnd ?? NaN };
  });
}

async function timeToScreen(chat: ChatPage, messages: MessageView[], lastId: string): Promise<number> {
  const update: ToWebview = { type: 'conversation', conversation: conversation(messages) };
  return chat.page.evaluate(
    async ({ update, selector }) => {
      const t0 = performance.now();
      window.postMessage(update, '*');
      for (;;) {
        await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
        if (document.querySelector(selector)) break;
        if (performance.now() - t0 > 30_000) throw new Error(`no ${selector} 30 s after the message`);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
      return performance.now() - t0;
    },
    { update, selector: `[data-message-id="${lastId}"]` },
  );
}

function message(id: string, text: string): MessageView {
  return { id, from: 'bob-0002', fromName: 'bob', text, ts: Date.UTC(2026, 0, 5, 12, 0), own: false, state: 'delivered' };
}

function conversation(messages: MessageView[]) {
  return { id: CONVERSATION, title: 'bob', kind: 'peer' as const, memberNames: ['bob'], messages, hasOlder: false, cards: [] };
}

function initMessage(messages: MessageView[], codeTheme: CodeThemeView): ToWebview {
  return {
    type: 'init',
    self: { clientId: 'alice-0001', name: 'alice' },
    connection: CONNECTED,
    conversations: [summary(CONVERSATION, 'bob', 'peer')],
    selected: conversation(messages),
    composer: SEND,
    codeTheme,
  };
}

function typescriptLines(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`  const value${i}: Map<string, number> = await load(\`item-\${${i}}\`, { retries: ${i % 5} }); // step ${i}`);
  return `export async function run(): Promise<void> {\n${lines.join('\n')}\n}`;
}
