import * as fs from 'node:fs';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import type { CodeThemeView, MessageView, ToWebview } from '../../src/views/chatProtocol';
import { fallbackCodeTheme } from '../../src/views/codeThemeFallback';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ChatPage, launchBrowser } from '../../test/webview/chatPage';
import { startWebviewServer } from '../../test/webview/server';
import { CONNECTED, SEND, summary } from '../../test/webview/fixtures';
import { grammarReply, HOSTILE_MARKDOWN } from '../../test/webview/richTextFixtures';
import { median } from './rounds';
import { buildWebview } from './webviewWorkload';

/**
 * W9: formatted messages in the built chat webview, in Chromium (issue 27's budgets). The size of
 * dist/webview.js and the bundles it imports, as built and minified (as `npm run package` ships them); opening
 * the panel (a fresh page: the script loaded and run, `init` with a conversation of markdown and
 * code answered, until its messages are painted as text, until they are painted formatted, and
 * until its code is coloured), beside a blank page (the same document and CSP with an empty
 * script: what opening any page costs); and the render time of each hostile-markdown message and
 * of a large TypeScript block with its grammar loaded, from the message posted to the frame after
 * it shows.
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
  __w9?: OpenTimes;
}
interface PageDocument {
  querySelector(selector: string): unknown;
  getElementById(id: string): unknown;
  readyState: string;
}
declare const window: PageWindow;
declare const document: PageDocument;
declare function requestAnimationFrame(callback: () => void): void;

/** Times from navigation (the page's time origin), taken in the page's frames; NaN until seen. */
interface OpenTimes {
  /** The first frame with the document's layout and its script run (DOMContentLoaded). */
  shellMs: number;
  /** The first frame with the newest message (o39) on screen, in whatever form. */
  messagesMs: number;
  /** The first frame with it formatted (the formatter loaded and run). */
  formattedMs: number;
  /** The first frame with the newest TypeScript block (o36) coloured. */
  colouredMs: number;
  /** Chromium's first-contentful-paint entry. */
  firstContentfulPaintMs: number;
  /** Set when the figures the run waits for are in. */
  done?: boolean;
}
type TimeName = Exclude<keyof OpenTimes, 'done'>;

export async function runRichText(spec: RichTextSpec, root: string): Promise<Metrics> {
  buildWebview(root);
  const bundle = readBundle(root);
  const grammars = fs.readdirSync(path.join(root, 'dist', 'grammars')).map((f) => fs.statSync(path.join(root, 'dist', 'grammars', f)).size);
  const server = await startWebviewServer();
  const browser = await launchBrowser();
  try {
    const opens: OpenTimes[] = [];
    const blanks: OpenTimes[] = [];
    // Interleaved, so a busy moment of the machine falls on both alike.
    for (let i = 0; i < spec.opens; i++) {
      blanks.push(await timedOpen(browser, server.blankUrl, false));
      opens.push(await timedOpen(browser, server.url, true));
    }
    const of = (times: OpenTimes[], key: TimeName) => median(times.map((t) => t[key]));
    const panelOpenMs = of(opens, 'messagesMs')!;
    const blankMs = of(blanks, 'shellMs')!;
    const chat = await ChatPage.open(browser, server.url, VIEWPORT);
    try {
      await chat.send(initMessage([message('warm', 'hello')], fallbackCodeTheme('dark')));
      await chat.send(grammarReply('typescript'));
      // Timed with the formatter loaded (it comes after the first paint), as every message after the first screen is.
      await chat.page.locator('[data-message-id="warm"] .message-text.markdown:not(.unformatted)').waitFor({ timeout: 60_000 });
      const hostile: Record<string, number> = {};
      for (const [i, entry] of HOSTILE_MARKDOWN.entries()) hostile[entry.name] = await timeToScreen(chat, [message(`h${i}`, entry.text)], `h${i}`);
      const bigCode = '```ts\n' + typescriptLines(180) + '\n```';
      const codeMs = await timeToScreen(chat, [message('code-big', bigCode)], 'code-big');
      const hostileWorst = Math.max(...Object.values(hostile));
      return {
        bundleBytes: bundle.bytes,
        /** Everything the page may load: dist/webview.js and the bundles it imports, minified (the 1.5 MB budget). */
        bundleMinifiedBytes: bundle.minifiedBytes,
        /** Of which the first screen loads: dist/webview.js (it imports nothing before it runs). */
        firstScreenMinifiedBytes: bundle.firstScreenMinifiedBytes,
        bundleFiles: bundle.files,
        grammarFiles: grammars.length,
        grammarBytesLargest: Math.max(...grammars),
        /** Navigation → the first frame with the 40 messages on screen (readable; formatted moments later). The budget's figure. */
        panelOpenMs,
        panelOpenRuns: opens.map((t) => t.messagesMs),
        /** Navigation → the first frame of a page with the same document and CSP and an empty script. */
        blankPageMs: blankMs,
        blankPageRuns: blanks.map((t) => t.shellMs),
        blankFirstContentfulPaintMs: of(blanks, 'firstContentfulPaintMs'),
        /** The panel's figure less the blank page's: what the chat's own work adds to opening a page. */
        panelAboveBlankMs: panelOpenMs - blankMs,
        /** Of the panel: the first frame with the document laid out and its script run. */
        panelShellMs: of(opens, 'shellMs'),
        panelFirstContentfulPaintMs: of(opens, 'firstContentfulPaintMs'),
        /** Until the newest message is shown formatted (the formatter loaded and run). */
        panelFormattedMs: of(opens, 'formattedMs'),
        /** Until the newest code block on screen was coloured (its grammar loaded and run the first time). */
        panelColouredMs: of(opens, 'colouredMs'),
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
 * A fresh page in a fresh browser context (the server says no-store: nothing cached), timed from navigation (the page's
 * time origin) in the page itself: an init script, run before the page's own, watches every
 * frame from the start. For the chat, it also posts the extension's answers the moment the page
 * says `ready` (it wraps the stand-in VS Code API), so no round trip of the test driver counts.
 */
async function timedOpen(browser: Browser, url: string, chat: boolean): Promise<OpenTimes> {
  const { context, page } = chat ? await ChatPage.open(browser, url, VIEWPORT) : await blankPage(browser, url);
  try {
    const answers = chat ? [initMessage(openMessages(), fallbackCodeTheme('dark')), grammarReply('typescript')] : [];
    const until: TimeName = chat ? 'colouredMs' : 'shellMs';
    await context.addInitScript(watchFrames, { answers, until });
    await page.reload();
    await page.waitForFunction(() => window.__w9?.done === true, undefined, { timeout: 60_000 });
    return await page.evaluate(() => window.__w9!);
  } finally {
    await context.close();
  }
}

async function blankPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC', deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

/** The init script: runs in the page before the page's own scripts, so it may use nothing of this file but types. */
function watchFrames({ answers, until }: { answers: unknown[]; until: TimeName }): void {
  const page = window as unknown as PageWindow & { acquireVsCodeApi?: () => { postMessage(m: { type: string }): void } };
  const times: OpenTimes = { shellMs: NaN, messagesMs: NaN, formattedMs: NaN, colouredMs: NaN, firstContentfulPaintMs: NaN };
  page.__w9 = times;
  const acquire = page.acquireVsCodeApi;
  if (acquire && answers.length > 0) {
    page.acquireVsCodeApi = () => {
      const api = acquire();
      const post = api.postMessage.bind(api);
      api.postMessage = (m) => {
        post(m);
        if (m.type === 'ready') for (const answer of answers) page.postMessage(answer, '*');
      };
      return api;
    };
  }
  const frame = () => {
    const now = performance.now();
    const ready = document.readyState !== 'loading' && document.getElementById('app') !== null;
    if (Number.isNaN(times.shellMs) && ready) times.shellMs = now;
    if (Number.isNaN(times.messagesMs) && document.querySelector('[data-message-id="o39"]')) times.messagesMs = now;
    if (Number.isNaN(times.formattedMs) && document.querySelector('[data-message-id="o39"] .message-text.markdown:not(.unformatted)')) times.formattedMs = now;
    if (Number.isNaN(times.colouredMs) && document.querySelector('[data-message-id="o36"] code.highlighted span')) times.colouredMs = now;
    const paint = (performance.getEntriesByName as (name: string) => { startTime: number }[])('first-contentful-paint')[0];
    if (paint) times.firstContentfulPaintMs = paint.startTime;
    if (!Number.isNaN(times[until]) && !Number.isNaN(times.firstContentfulPaintMs)) times.done = true;
    else if (now < 60_000) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

function openMessages(): MessageView[] {
  return Array.from({ length: 40 }, (_, i) =>
    message(
      `o${i}`,
      i % 4 === 0
        ? '```ts\nconst x: number = ' + i + ';\nexport function f() { return x * 2; }\n```'
        : `**note ${i}**: see [docs](https://docs.example/${i}) and \`code\` — @bob in #general`,
    ),
  );
}

interface BuiltBundle {
  bytes: number;
  minifiedBytes: number;
  firstScreenMinifiedBytes: number;
  files: number;
}

/** dist/webview.js and the bundles it imports after the first paint (dist/webview-*.js), each as built and minified. */
function readBundle(root: string): BuiltBundle {
  const dist = path.join(root, 'dist');
  const files = fs.readdirSync(dist).filter((f) => /^webview(-[\w-]+)?\.js$/.test(f));
  const code = files.map((f) => fs.readFileSync(path.join(dist, f), 'utf8'));
  const minified = code.map((text) =>
    Buffer.byteLength(transformSync(text, { minify: true, loader: 'js', format: 'esm', target: 'es2022', legalComments: 'none' }).code),
  );
  return {
    bytes: code.reduce((total, text) => total + Buffer.byteLength(text), 0),
    minifiedBytes: minified.reduce((total, n) => total + n, 0),
    firstScreenMinifiedBytes: minified[files.indexOf('webview.js')]!,
    files: files.length,
  };
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
