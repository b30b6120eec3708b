import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { ConversationView, FromWebview, MessageView, ToWebview } from '../../src/views/chatProtocol';
import { ChatPage, launchBrowser } from '../../test/webview/chatPage';
import { startWebviewServer } from '../../test/webview/server';
import { CONNECTED, SEND, summary } from '../../test/webview/fixtures';
import { median } from './rounds';
import { ConversationPages, conversationMessages, SELF_ID } from './webviewConversation';

/**
 * W8: the built chat webview in Chromium, driven as the webview tests drive it (the real page
 * and CSP from test/webview/server.ts, a stand-in VS Code API from chatPage.ts), with this
 * process answering as the extension would: a conversation of 100,000 messages, of which the
 * newest page is sent when it is opened and an older page each time the webview asks while the
 * reader scrolls up. Measured in the page, on its own clock: from the message posted to the frame
 * after the first messages are on screen; then how many message elements the DOM holds while
 * scrolling back a screen at a time through 20 pages.
 */

export interface WebviewSpec {
  w: 'webview';
  messages: number;
  /** Messages per page, as the extension sends them. */
  pageSize: number;
  /** Pages to scroll back through. */
  pagesBack: number;
}

type Metrics = Record<string, unknown>;

/** What counts as one message in the DOM: every element that stands for a message has its id. */
const MESSAGE_SELECTOR = '[data-message-id]';
const CONVERSATION = 'all';
const OTHER = 'peer:bench-peer-00000001';
const VIEWPORT = { width: 900, height: 700 };

/** The page's globals used here (the bench's tsconfig has no DOM types). */
interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
  addEventListener(type: 'message', listener: () => void, options?: { once: boolean }): void;
  __longTasks?: number[];
  /** When the last message event began to be dispatched (a listener that runs before the page's own). */
  __arrivedAt?: number;
}
interface PageElement {
  scrollTop: number;
  clientHeight: number;
  scrollHeight: number;
  hidden?: boolean;
  click(): void;
}
interface PageDocument {
  querySelectorAll(selector: string): { length: number };
  getElementsByTagName(name: string): { length: number };
  getElementById(id: string): PageElement | null;
}
declare const window: PageWindow;
declare const document: PageDocument;
declare function requestAnimationFrame(callback: () => void): void;
declare class PerformanceObserver {
  constructor(callback: (list: { getEntries(): { duration: number }[] }) => void);
  observe(options: { type: string; buffered?: boolean }): void;
}

let built = false;

/** Builds dist/ as `npm run test:webview` does, once per bench run: W8 measures the sources as they are. */
export function buildWebview(root: string): void {
  if (built) return;
  execFileSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root, stdio: 'inherit' });
  built = true;
}

export async function runWebview(spec: WebviewSpec, root: string): Promise<Metrics> {
  buildWebview(root);
  const all = conversationMessages(spec.messages, 8);
  const pages = new ConversationPages(all, spec.pageSize);
  const server = await startWebviewServer();
  const browser = await launchBrowser();
  try {
    const chat = await ChatPage.open(browser, server.url, VIEWPORT);
    // A listener ahead of the page's own, on every load: when a message began to be handled.
    await chat.context.addInitScript(() => window.addEventListener('message', () => (window.__arrivedAt = performance.now())));
    await chat.reload();
    await chat.send(initMessage());
    const cold = await openConversation(chat, pages);
    const warm: number[] = [];
    for (let i = 0; i < 4; i++) {
      await chat.send(otherConversation());
      await afterPaint(chat);
      warm.push((await openConversation(chat, pages)).ms);
    }
    const scroll = await scrollBack(chat, pages, spec.pagesBack);
    // The extension could also hand over everything it holds at once: what that costs the page.
    const everything = await timeToScreen(chat, { type: 'conversation', conversation: view(all.slice(), false) });
    return {
      messages: all.length,
      pageSize: spec.pageSize,
      firstScreenMs: cold.ms,
      firstScreenArrivedMs: cold.arrivedMs,
      firstScreenHandledMs: cold.handledMs,
      firstScreenElements: cold.elements,
      reopenMedianMs: median(warm),
      reopenMs: warm,
      ...scroll,
      allAtOnce: everything,
      pageProblems: chat.problems.slice(0, 10),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

function initMessage(): ToWebview {
  return {
    type: 'init',
    self: { clientId: SELF_ID, name: 'alice' },
    connection: CONNECTED,
    conversations: [
      summary(CONVERSATION, '#general', 'channel', { lastText: 'the newest of 100,000' }),
      summary(OTHER, 'bob', 'peer', { lastText: 'see you tomorrow' }),
    ],
    selected: undefined,
    composer: SEND,
  };
}

function view(messages: MessageView[], hasOlder: boolean): ConversationView {
  return { id: CONVERSATION, title: '#general', kind: 'channel', memberNames: [], messages, hasOlder, cards: [] };
}

function otherConversation(): ToWebview {
  const few = conversationMessages(20, 9);
  return { type: 'conversation', conversation: { id: OTHER, title: 'bob', kind: 'peer', memberNames: ['bob'], messages: few, hasOlder: false, cards: [] } };
}

async function openConversation(chat: ChatPage, pages: ConversationPages): Promise<{ ms: number; arrivedMs: number; handledMs: number; elements: number }> {
  const newest = pages.newest();
  return timeToScreen(chat, { type: 'conversation', conversation: view(newest.messages, newest.hasOlder) });
}

/**
 * Posts `message` in the page and times it to the frame after the first message elements appear;
 * on the way, when the page began to handle it (the message copied across) and when its handler
 * returned (a listener added now runs after the page's own).
 */
async function timeToScreen(chat: ChatPage, message: ToWebview): Promise<{ ms: number; arrivedMs: number; handledMs: number; elements: number }> {
  return chat.page.evaluate(
    async ({ message, selector }) => {
      const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
      let handledAt = NaN;
      window.addEventListener('message', () => (handledAt = performance.now()), { once: true });
      const t0 = performance.now();
      window.postMessage(message, '*');
      for (;;) {
        await frame();
        if (document.querySelectorAll(selector).length > 0) break;
        if (performance.now() - t0 > 10_000) throw new Error(`no ${selector} on screen 10 s after the message`);
      }
      // The frame whose callbacks just ran is painted next; a task queued now runs after it.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const ms = performance.now() - t0;
      return { ms, arrivedMs: (window.__arrivedAt ?? NaN) - t0, handledMs: handledAt - t0, elements: document.querySelectorAll(selector).length };
    },
    { message, selector: MESSAGE_SELECTOR },
  );
}

async function afterPaint(chat: ChatPage): Promise<void> {
  await chat.page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
}

/**
 * Scrolls up a screen at a time (as Page Up does), answering each `load-older` the webview posts
 * with the page before the id it names, until `pagesBack` pages were answered and the reader has
 * scrolled into the last. Samples the message elements in the DOM after every step.
 */
async function scrollBack(chat: ChatPage, pages: ConversationPages, pagesBack: number): Promise<Metrics> {
  await chat.clearPosted();
  await chat.page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks!.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  const counts: number[] = [];
  const stepMs: number[] = [];
  let served = 0;
  let stepsSinceServed = 0;
  let stuck = 0;
  for (let step = 0; served < pagesBack || stepsSinceServed < 3; step++) {
    if (step > 20_000) throw new Error(`scrolled 20,000 screens and answered ${served} pages`);
    const s = await chat.page.evaluate(async (selector) => {
      const scroller = document.getElementById('messages')!;
      const before = scroller.scrollTop;
      const t0 = performance.now();
      scroller.scrollTop = Math.max(0, before - scroller.clientHeight);
      await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      // At the top with nothing asked for: a "Load older" button, if the page has one, is how.
      const older = document.getElementById('load-older');
      if (before === 0 && older && !older.hidden) older.click();
      return { ms: performance.now() - t0, top: before === 0, count: document.querySelectorAll(selector).length };
    }, MESSAGE_SELECTOR);
    counts.push(s.count);
    stepMs.push(s.ms);
    const asked = (await chat.posted()).filter((m): m is Extract<FromWebview, { type: 'load-older' }> => m.type === 'load-older');
    await chat.clearPosted();
    for (const request of asked) {
      const page = pages.olderThan(request.beforeId);
      if (!page) throw new Error(`the webview asked for messages before ${request.beforeId}, which it was never sent`);
      await chat.send({ type: 'older', conversationId: CONVERSATION, messages: page.messages, hasOlder: page.hasOlder });
      served++;
      stepsSinceServed = 0;
    }
    if (asked.length === 0) stepsSinceServed++;
    stuck = s.top && asked.length === 0 ? stuck + 1 : 0;
    if (stuck > 20) throw new Error(`at the top of the list after ${served} pages and the webview asks for nothing older`);
  }
  const longTasks = await chat.page.evaluate(() => window.__longTasks ?? []);
  const sortedSteps = stepMs.slice().sort((a, b) => a - b);
  return {
    pagesServed: served,
    steps: counts.length,
    maxMessageElements: Math.max(...counts),
    messageElementsAfter: counts[counts.length - 1],
    domElementsAfter: await chat.page.evaluate(() => document.getElementsByTagName('*').length),
    scrollStepMs: {
      p50: sortedSteps[sortedSteps.length >> 1],
      p99: sortedSteps[Math.floor(sortedSteps.length * 0.99)],
      max: sortedSteps[sortedSteps.length - 1],
    },
    longTasks: { count: longTasks.length, maxMs: longTasks.length ? Math.max(...longTasks) : 0 },
  };
}
