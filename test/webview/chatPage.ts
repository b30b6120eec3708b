import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import type { FromWebview, ToWebview } from '../../src/views/chatProtocol';
import type { Theme } from './themes';
import { startWebviewServer, type WebviewServer } from './server';
import * as assert from 'assert';
import { CHROMIUM_ARGS } from '../browser/chromium';

/**
 * Drives the chat webview in a real Chromium: a stand-in `acquireVsCodeApi` (installed before
 * the page's own script runs) records what the page posts and keeps its state across reloads,
 * as VS Code does; `send` delivers a ToWebview message the way VS Code does (a window message).
 */

export const CHROMIUM = process.env.CHAT_WEBVIEW_CHROMIUM || '/usr/bin/chromium';

/** The page's globals these tests touch (the root tsconfig has no DOM types). */
interface PageGlobals {
  __posted: FromWebview[];
  __violations: string[];
  __acquireCalls: number;
  __pwned?: unknown;
  postMessage(message: unknown, targetOrigin: string): void;
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  acquireVsCodeApi: () => unknown;
}
interface PageDocument {
  documentElement: { style: { setProperty(name: string, value: string): void } };
  body: { classList: { add(name: string): void; remove(...names: string[]): void } };
  addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string; sourceFile: string }) => void): void;
  querySelector(selector: string): unknown;
}
declare const window: PageGlobals;
declare const document: PageDocument;

const STATE_KEY = '__vscodeState';

/** Runs in the page before its scripts, on every load (reloads included). */
function installFakeVsCodeApi(stateKey: string): void {
  window.__posted = [];
  window.__violations = [];
  window.__acquireCalls = 0;
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(`${e.violatedDirective} ${e.blockedURI} (${e.sourceFile})`);
  });
  window.acquireVsCodeApi = () => {
    window.__acquireCalls += 1;
    if (window.__acquireCalls > 1) throw new Error('acquireVsCodeApi may only be called once');
    return {
      postMessage: (message: unknown) => window.__posted.push(JSON.parse(JSON.stringify(message)) as FromWebview),
      getState: () => {
        const saved = window.sessionStorage.getItem(stateKey);
        return saved === null ? undefined : (JSON.parse(saved) as unknown);
      },
      setState: (state: unknown) => {
        window.sessionStorage.setItem(stateKey, JSON.stringify(state));
        return state;
      },
    };
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y --no-install-recommends chromium, ` +
        'or bash scripts/e2e/installSystemDeps.sh), or point CHAT_WEBVIEW_CHROMIUM at a Chromium binary',
    );
  }
  // Chromium writes into HOME (its crash and font caches): a folder of its own, removed with it.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-webview-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, env: { ...process.env, HOME: home } });
  browser.on('disconnected', () => fs.rmSync(home, { recursive: true, force: true }));
  return browser;
}

export class ChatPage {
  /** Console errors and warnings, and uncaught page errors. */
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') this.problems.push(`[console.${msg.type()}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => this.problems.push(`[pageerror] ${err.message}`));
  }

  static async open(browser: Browser, url: string, viewport = { width: 900, height: 560 }): Promise<ChatPage> {
    const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC', deviceScaleFactor: 1 });
    context.setDefaultTimeout(10_000);
    await context.addInitScript(installFakeVsCodeApi, STATE_KEY);
    const page = await context.newPage();
    const chat = new ChatPage(context, page);
    await page.goto(url);
    await chat.waitForPosted((m) => m.type === 'ready');
    return chat;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Delivers a message from the extension. */
  async send(message: ToWebview): Promise<void> {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  async posted(): Promise<FromWebview[]> {
    return this.page.evaluate(() => window.__posted);
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate(() => {
      window.__posted.length = 0;
    });
  }

  async waitForPosted(match: (m: FromWebview) => boolean, what = 'a posted message'): Promise<FromWebview> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = (await this.posted()).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; posted: ${JSON.stringify(await this.posted())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async state(): Promise<unknown> {
    return this.page.evaluate((key) => {
      const saved = window.sessionStorage.getItem(key);
      return saved === null ? undefined : (JSON.parse(saved) as unknown);
    }, STATE_KEY);
  }

  async violations(): Promise<string[]> {
    return this.page.evaluate(() => window.__violations);
  }

  async pwned(): Promise<unknown> {
    return this.page.evaluate(() => window.__pwned);
  }

  async acquireCalls(): Promise<number> {
    return this.page.evaluate(() => window.__acquireCalls);
  }

  /** Waits until no text or code on the page waits for the formatter (a bundle loaded after the first paint). */
  async formatted(): Promise<void> {
    await this.page.waitForFunction(() => document.querySelector('.unformatted, code.unhighlighted') === null);
  }

  /** Reloads the page (VS Code re-creating a hidden webview); the saved state survives. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForPosted((m) => m.type === 'ready');
  }

  async setTheme(theme: Theme): Promise<void> {
    await this.page.evaluate((t) => {
      for (const [name, value] of Object.entries(t.vars)) document.documentElement.style.setProperty(name, value);
      document.body.classList.remove('vscode-dark', 'vscode-light', 'vscode-high-contrast');
      document.body.classList.add(t.bodyClass);
    }, theme);
    await this.page.evaluate(() => (document as unknown as { fonts: { ready: Promise<unknown> } }).fonts.ready.then(() => undefined));
  }

  async screenshot(name: string): Promise<string> {
    await this.formatted(); // the page as it looks once the formatter is here, not its first screen
    const dir = path.join(__dirname, 'artifacts');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}

/**
 * The hooks every chat webview suite shares: one server and one Chromium for the suite, a fresh
 * page per test, and after a passing test no CSP violations and no console or page errors.
 */
export function useChatPage(): { readonly chat: ChatPage } {
  let browser: Browser;
  let server: WebviewServer;
  let chat: ChatPage;
  before(async () => {
    server = await startWebviewServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    chat = await ChatPage.open(browser, server.url);
  });
  afterEach(async function () {
    const problems = chat.problems.slice();
    const violations = await chat.violations();
    await chat.close();
    if (this.currentTest?.state === 'passed') {
      assert.deepStrictEqual(violations, [], 'no CSP violations');
      assert.deepStrictEqual(problems, [], 'no console errors or page errors');
    }
  });
  return {
    get chat() {
      return chat;
    },
  };
}
