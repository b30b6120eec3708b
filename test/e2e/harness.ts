/**
 * End-to-end harness: the packaged extension in a real VS Code (code-server 4.139 = VS Code 1.139,
 * from npm, cached by scripts/e2e/prepareHost.js) driven through Debian's Chromium by playwright-core.
 * Works offline; see shared/real-vscode-host.md for why it is built this way.
 *
 *   const vscode = await VsCodeHarness.launch({ name: 'chat' });
 *   try {
 *     await vscode.runCommand('Team Messenger: Connect');
 *     await vscode.waitForVisible(vscode.page.getByText('alice'), 'alice in the peers view');
 *   } finally {
 *     await vscode.dispose();
 *   }
 *
 * Every wait has a timeout; a failed wait throws a HarnessError whose message carries the tail of the
 * extension host log, the extension's own output channel(s), code-server's output and the browser
 * console, and whose screenshot is saved in test/e2e/artifacts/. Everything started here (code-server's
 * process group, Chromium, temp folders) is ended by dispose(), on SIGINT/SIGTERM, at process exit, and
 * by a watchdog shell if the test process is killed outright.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page, type FrameLocator } from 'playwright-core';
import { CHROMIUM_ARGS } from '../browser/chromium';

/** Where the project is: the nearest folder up from here with scripts/e2e/prepareHost.js. */
export const PROJECT_ROOT = findProjectRoot(__dirname);
export const ARTIFACTS_DIR = path.resolve(process.env.E2E_ARTIFACTS_DIR || path.join(PROJECT_ROOT, 'test', 'e2e', 'artifacts'));
const CACHE_DIR = path.resolve(process.env.E2E_CACHE_DIR || path.join(PROJECT_ROOT, '.vscode-test'));

/** Default for each wait; E2E_TIMEOUT_MS overrides (e.g. on a slow machine). */
export const DEFAULT_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS) || 30_000;
/** How long typing into a just-opened command palette may take before it is opened again, and how often. */
const PALETTE_FILL_TIMEOUT_MS = 5_000;
const PALETTE_ATTEMPTS = 3;
const STARTUP_TIMEOUT_MS = Number(process.env.E2E_STARTUP_TIMEOUT_MS) || 120_000;

/** User settings for a quiet, deterministic workbench; a scenario's `settings` are merged over them. */
const BASE_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
};

export interface HarnessOptions {
  /** Names the temp folder and the artifacts (screenshots, saved logs). Default 'e2e'. */
  name?: string;
  /** The .vsix to install. Default: `<name>-<version>.vsix` in the project root (`npm run package`). */
  vsix?: string;
  /**
   * 'cli' (default): `code-server --install-extension x.vsix`, as a person would.
   * 'unpack': unzip the .vsix's extension/ folder into the extensions dir as `<publisher>.<name>-<version>`.
   */
  install?: 'cli' | 'unpack';
  /** Files to create in the workspace folder, relative path -> content. */
  workspaceFiles?: Record<string, string>;
  /** User settings merged over the harness's quiet defaults. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so the extension host. */
  env?: Record<string, string>;
  /** Browser viewport. Default 1400x900. */
  viewport?: { width: number; height: number };
  /** Keep the temp folder after dispose (also E2E_KEEP_TEMP=1). */
  keepTemp?: boolean;
}

interface HostInfo {
  node: string;
  codeServerEntry: string;
  chromium: string;
}

export interface ExtensionPackageJson {
  name: string;
  publisher: string;
  version: string;
  displayName?: string;
  activationEvents?: string[];
  contributes?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ExtensionIdentity {
  id: string; // publisher.name, lower case as VS Code shows it
  folderName: string; // publisher.name-version
  displayName: string;
  version: string;
  packageName: string;
}

/** A failed step of a scenario, with the evidence a person needs to see why. */
export class HarnessError extends Error {
  constructor(
    message: string,
    readonly report: string,
    readonly screenshot: string | undefined,
    /** The error that ended the wait (kept out of `cause`: the report already quotes it). */
    readonly original?: unknown,
  ) {
    super(`${message}\n${report}`);
    this.name = 'HarnessError';
  }
}

const live = new Set<VsCodeHarness>();

export class VsCodeHarness {
  readonly name: string;
  readonly extension: ExtensionIdentity;
  /** The .vsix installed, and the package.json inside it (activationEvents, contributes, ...). */
  readonly vsix: string;
  readonly packageJson: ExtensionPackageJson;
  /** Temp root; holds user-data, extensions, workspace and xdg folders. */
  readonly tempDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly workspaceDir: string;
  /** The extension's home for its own files (TEAM_MESSENGER_HOME), inside tempDir. */
  readonly extensionHomeDir: string;
  port = 0;
  url = '';

  private readonly options: HarnessOptions;
  private readonly host: HostInfo;
  private readonly env: NodeJS.ProcessEnv;
  private server: ChildProcess | undefined;
  private serverExited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private serverOutput = '';
  private watchdog: ChildProcess | undefined;
  private browser: Browser | undefined;
  private pageOrUndefined: Page | undefined;
  private readonly consoleLines: string[] = [];
  private disposing: Promise<void> | undefined;
  private failed = false;
  private screenshotCount = 0;

  /** Starts code-server with the extension installed and opens the workbench; resolves when it is ready. */
  static async launch(options: HarnessOptions = {}): Promise<VsCodeHarness> {
    const harness = new VsCodeHarness(options);
    try {
      await harness.start();
      return harness;
    } catch (err) {
      harness.failed = true;
      const wrapped = err instanceof HarnessError ? err : await harness.failure('starting the workbench failed', err);
      await harness.dispose();
      throw wrapped;
    }
  }

  private constructor(options: HarnessOptions) {
    this.options = options;
    this.name = sanitize(options.name || 'e2e');
    this.host = readHost();
    this.vsix = path.resolve(options.vsix || defaultVsix());
    if (!fs.existsSync(this.vsix)) throw new Error(`no .vsix at ${this.vsix}: run \`npm run package\` first`);
    // What is installed is what the .vsix holds (package.json may have changed since it was packaged).
    this.packageJson = readVsixPackageJson(this.vsix);
    this.extension = extensionIdentity(this.packageJson);
    this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), `tm-e2e-${this.name.slice(0, 20)}-`));
    this.userDataDir = path.join(this.tempDir, 'user-data');
    this.extensionsDir = path.join(this.tempDir, 'extensions');
    this.workspaceDir = path.join(this.tempDir, 'workspace');
    this.extensionHomeDir = path.join(this.tempDir, 'team-messenger-home');
    const xdg = path.join(this.tempDir, 'xdg');
    const tmp = path.join(this.tempDir, 'tmp');
    for (const dir of [this.userDataDir, this.extensionsDir, this.workspaceDir, this.extensionHomeDir, xdg, tmp]) {
      fs.mkdirSync(dir, { recursive: true });
    }
    // code-server writes a default config.yaml (with a password) and logs under XDG dirs, even with
    // --auth none; the extension keeps its files under TEAM_MESSENGER_HOME. Keep all of it in tempDir.
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Inside a VS Code terminal, VSCODE_IPC_HOOK_CLI makes code-server hand the request to that editor.
      // code-server reads $PORT (over --bind-addr) and $PASSWORD / $HASHED_PASSWORD / $GITHUB_TOKEN.
      // npm_* of an enclosing `npm run` say Node 20; they are no business of the host's.
      if (/^(VSCODE_|ELECTRON_|npm_)/i.test(key) || ['NODE', 'INIT_CWD', 'NODE_OPTIONS', 'PORT', 'PASSWORD', 'HASHED_PASSWORD', 'GITHUB_TOKEN'].includes(key))
        continue;
      env[key] = value;
    }
    Object.assign(env, {
      PATH: `${path.dirname(this.host.node)}${path.delimiter}${process.env.PATH || ''}`,
      XDG_CONFIG_HOME: path.join(xdg, 'config'),
      XDG_DATA_HOME: path.join(xdg, 'data'),
      XDG_CACHE_HOME: path.join(xdg, 'cache'),
      XDG_STATE_HOME: path.join(xdg, 'state'),
      TEAM_MESSENGER_HOME: this.extensionHomeDir,
      // The workbench's extension host and git leave IPC sockets in the temp folder (vscode-ipc-*,
      // vscode-git-*): in tempDir they go with it (their paths stay under the 108-byte limit).
      TMPDIR: tmp,
      ...options.env,
    });
    this.env = env;
    live.add(this);
    installProcessHandlers();
  }

  /** The workbench page. */
  get page(): Page {
    if (!this.pageOrUndefined) throw new Error('the workbench page is not open');
    return this.pageOrUndefined;
  }

  private async start(): Promise<void> {
    const t0 = Date.now();
    for (const [rel, content] of Object.entries(this.options.workspaceFiles || {})) {
      const file = path.join(this.workspaceDir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    const settingsFile = path.join(this.userDataDir, 'User', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ ...BASE_SETTINGS, ...this.options.settings }, null, 2));

    this.installExtension();
    await this.startServer();
    const tServer = Date.now();
    await this.openWorkbench();
    log(`${this.name}: workbench ready in ${seconds(t0)} s (code-server ${((tServer - t0) / 1000).toFixed(1)} s) at ${this.url}`);
  }

  private installExtension(): void {
    const vsix = this.vsix;
    if (this.options.install === 'unpack') {
      const target = path.join(this.extensionsDir, this.extension.folderName);
      const scratch = path.join(this.tempDir, 'vsix');
      this.runHostCli('unzip', ['-q', '-o', vsix, 'extension/*', '-d', scratch], 'unzip the .vsix');
      fs.renameSync(path.join(scratch, 'extension'), target);
      fs.rmSync(scratch, { recursive: true, force: true });
    } else {
      this.runHostCli(this.host.node, [this.host.codeServerEntry, ...this.dirArgs(), '--install-extension', vsix], 'code-server --install-extension');
    }
  }

  /** Extensions code-server lists as installed in this harness's extensions dir (`id@version`). */
  listInstalledExtensions(): string[] {
    const out = this.runHostCli(
      this.host.node,
      [this.host.codeServerEntry, ...this.dirArgs(), '--list-extensions', '--show-versions'],
      'code-server --list-extensions',
    );
    return out
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[\w.-]+\.[\w.-]+@\S+$/.test(line));
  }

  private dirArgs(): string[] {
    return ['--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
  }

  private runHostCli(cmd: string, args: string[], what: string): string {
    const r = spawnSync(cmd, args, { env: this.env, encoding: 'utf8', timeout: DEFAULT_TIMEOUT_MS * 2 });
    if (r.status !== 0) {
      throw new Error(`${what} failed (${r.error ? r.error.message : (r.status ?? r.signal)}):\n${r.stdout}\n${r.stderr}`);
    }
    return r.stdout;
  }

  private async startServer(): Promise<void> {
    const args = [
      this.host.codeServerEntry,
      '--auth',
      'none',
      // Port 0: the system picks a free port, code-server prints which (no race between two runs).
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--config',
      path.join(this.tempDir, 'code-server.yaml'),
      ...this.dirArgs(),
      this.workspaceDir,
    ];
    fs.writeFileSync(path.join(this.tempDir, 'code-server.yaml'), 'auth: none\ncert: false\n');
    const logFile = fs.createWriteStream(path.join(this.tempDir, 'code-server.log'));
    // detached: its own process group, so dispose() ends code-server and every process it started.
    const server = spawn(this.host.node, args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.server = server;
    this.startWatchdog(server.pid);
    const onData = (chunk: Buffer): void => {
      logFile.write(chunk);
      this.serverOutput = (this.serverOutput + chunk.toString('utf8')).slice(-20_000);
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.on('exit', (code, signal) => {
      this.serverExited = { code, signal };
      logFile.end();
    });
    server.on('error', (err) => {
      this.serverOutput += `\n[spawn error] ${err.message}\n`;
      this.serverExited = { code: null, signal: null };
    });

    await this.waitUntil(
      'code-server listening',
      () => {
        if (this.serverExited) throw new Error(`code-server exited early (${JSON.stringify(this.serverExited)})`);
        const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(this.serverOutput);
        if (m) this.port = Number(m[1]);
        return !!m;
      },
      STARTUP_TIMEOUT_MS,
    );
    this.url = `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspaceDir)}`;
  }

  /**
   * A shell that outlives a killed test process (SIGKILL, a CI timeout) and then ends the
   * code-server process group and removes the temp folder. dispose() stops it first.
   */
  private startWatchdog(pgid: number | undefined): void {
    if (!pgid) return;
    const script =
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
      `kill -TERM -${pgid} 2>/dev/null; sleep 2; kill -KILL -${pgid} 2>/dev/null; ` +
      (this.keepTemp() ? '' : `rm -rf '${this.tempDir.replace(/'/g, `'\\''`)}'`);
    this.watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    this.watchdog.unref();
  }

  private keepTemp(): boolean {
    return !!this.options.keepTemp || process.env.E2E_KEEP_TEMP === '1';
  }

  private async openWorkbench(): Promise<void> {
    this.browser = await chromium.launch({
      executablePath: this.host.chromium,
      args: CHROMIUM_ARGS,
      headless: true,
      timeout: STARTUP_TIMEOUT_MS,
      // Chromium's crash-report database and dconf go under XDG dirs (else ~/.config/chromium, ~/.cache).
      env: { ...this.env, HOME: path.join(this.tempDir, 'xdg') },
      // Signals are handled here (dispose first, then exit), not by playwright's own exit.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const context = await this.browser.newContext({ viewport: this.options.viewport || { width: 1400, height: 900 } });
    context.setDefaultTimeout(DEFAULT_TIMEOUT_MS);
    const page = await context.newPage();
    this.pageOrUndefined = page;
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') this.pushConsole(`[console.${msg.type()}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => this.pushConsole(`[pageerror] ${err.message}`));

    await page.goto(this.url, { timeout: STARTUP_TIMEOUT_MS, waitUntil: 'domcontentloaded' });
    await this.waitForVisible(page.locator('.monaco-workbench'), 'the workbench', STARTUP_TIMEOUT_MS);
    await this.waitForVisible(page.locator('.part.activitybar'), 'the activity bar', STARTUP_TIMEOUT_MS);
    await this.waitForVisible(page.locator('.part.statusbar'), 'the status bar', STARTUP_TIMEOUT_MS);
    // The remote extension host has scanned the extensions and run the startup ('*') activations.
    await this.waitForLog(/Eager extensions activated/, { timeoutMs: STARTUP_TIMEOUT_MS, what: 'the extension host to start' });
  }

  private pushConsole(line: string): void {
    this.consoleLines.push(line.slice(0, 500));
    if (this.consoleLines.length > 200) this.consoleLines.shift();
  }

  // ---------------------------------------------------------------- waiting

  /**
   * Polls `check` until it returns a truthy value (returned) or the timeout passes (HarnessError
   * with the logs). An exception from `check` ends the wait at once.
   */
  async waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = 200): Promise<NonNullable<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let value: T;
      try {
        value = await check();
      } catch (err) {
        throw await this.failure(`while waiting for ${what}`, err);
      }
      if (value) return value as NonNullable<T>;
      if (Date.now() >= deadline) throw await this.failure(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await delay(intervalMs);
    }
  }

  /** Waits until the locator (or CSS selector) is visible. */
  async waitForVisible(target: Locator | string, what?: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Locator> {
    const locator = typeof target === 'string' ? this.page.locator(target) : target;
    try {
      await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
      return locator;
    } catch (err) {
      throw await this.failure(`timed out after ${timeoutMs} ms waiting for ${what || String(target)} to be visible`, err);
    }
  }

  /**
   * Waits until the locator is visible and has stayed visible for `steadyMs` (views re-render while
   * they load: a screenshot right after the first sighting can catch an empty list), and no progress
   * bar of the workbench is running.
   */
  async waitForSteady(target: Locator | string, what?: string, steadyMs = 750, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Locator> {
    const locator = typeof target === 'string' ? this.page.locator(target) : target;
    const progress = this.page.locator('.monaco-progress-container.active:visible');
    let since = 0;
    await this.waitUntil(
      `${what || String(target)} to be visible and steady for ${steadyMs} ms`,
      async () => {
        const settled = (await locator.first().isVisible()) && (await progress.count()) === 0;
        if (!settled) since = 0;
        else if (!since) since = Date.now();
        return since > 0 && Date.now() - since >= steadyMs;
      },
      timeoutMs,
      100,
    );
    return locator;
  }

  /** Waits until the locator (or CSS selector) is hidden or gone. */
  async waitForHidden(target: Locator | string, what?: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const locator = typeof target === 'string' ? this.page.locator(target) : target;
    try {
      await locator.first().waitFor({ state: 'hidden', timeout: timeoutMs });
    } catch (err) {
      throw await this.failure(`timed out after ${timeoutMs} ms waiting for ${what || String(target)} to disappear`, err);
    }
  }

  /**
   * Waits until a log contains the pattern; returns the matching line. The default source is the
   * extension host log; `channel` reads this extension's LogOutputChannel of that name instead.
   */
  async waitForLog(pattern: RegExp | string, opts: { channel?: string; timeoutMs?: number; what?: string } = {}): Promise<string> {
    const source = opts.channel ? `output channel "${opts.channel}"` : 'the extension host log';
    return this.waitUntil(
      opts.what || `${String(pattern)} in ${source}`,
      () => {
        const text = opts.channel ? this.readOutputChannelLog(opts.channel) : this.readExtensionHostLog();
        return text.split('\n').find((line) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line)));
      },
      opts.timeoutMs,
      250,
    );
  }

  /** Waits until VS Code has activated this extension (per the extension host log). */
  async waitForActivation(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
    return this.waitForLog(`ExtensionService#_doActivateExtension ${this.extension.id},`, {
      timeoutMs,
      what: `activation of ${this.extension.id}`,
    });
  }

  // ---------------------------------------------------------------- driving the UI

  /**
   * Runs a command by its title through the command palette (F1), as a person would:
   * e.g. runCommand('Team Messenger: Connect'). The title must match a palette entry exactly.
   */
  async runCommand(title: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const page = this.page;
    const widget = page.locator('.quick-input-widget');
    if (await widget.isVisible()) {
      await page.keyboard.press('Escape');
      await this.waitForHidden(widget, 'the previous quick input to close', timeoutMs);
    }
    // The palette closes when the workbench takes the focus back, which a view or the status
    // bar settling right after F1 can do; a person would press F1 again, and so does this (the
    // closing was seen once in CI as "element is inert", then "not visible", for 30 s).
    const input = widget.locator('.quick-input-box input');
    for (let attempt = 1; ; attempt++) {
      await page
        .locator('.monaco-workbench')
        .focus()
        .catch(() => undefined);
      await page.keyboard.press('F1');
      await this.waitForVisible(widget, 'the command palette', timeoutMs);
      try {
        await input.fill(`>${title}`, { timeout: PALETTE_FILL_TIMEOUT_MS });
        break;
      } catch (err) {
        if (attempt === PALETTE_ATTEMPTS || (await widget.isVisible())) {
          throw await this.failure(`could not type "${title}" into the command palette (attempt ${attempt} of ${PALETTE_ATTEMPTS})`, err);
        }
        log(`the command palette closed before "${title}" was typed; opening it again (attempt ${attempt + 1} of ${PALETTE_ATTEMPTS})`);
      }
    }
    await this.pickQuickInputItem(title, timeoutMs, undefined, `command "${title}" is not in the command palette`);
  }

  /**
   * In the open quick input (command palette, quick pick), types `filter` when given and picks the
   * entry whose label is exactly `label`. Throws with the offered labels when there is none.
   */
  async pickQuickInputItem(label: string, timeoutMs = DEFAULT_TIMEOUT_MS, filter?: string, notFound = `"${label}" is not offered`): Promise<void> {
    const page = this.page;
    const widget = page.locator('.quick-input-widget');
    await this.waitForVisible(widget, 'a quick input', timeoutMs);
    if (filter !== undefined) await widget.locator('.quick-input-box input').fill(filter);
    const row = widget
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (err) {
      const offered = await this.visibleTexts(widget.locator('.quick-input-list .monaco-list-row .label-name'));
      throw await this.failure(`${notFound}; it offers: ${JSON.stringify(offered)}`, err);
    }
    await row.click({ timeout: timeoutMs });
  }

  /** Shows an output channel (e.g. this extension's 'Team Messenger') in the Output panel. */
  async showOutputChannel(name: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Locator> {
    await this.runCommand('Output: Show Output Channels...', timeoutMs);
    await this.pickQuickInputItem(name, timeoutMs, name);
    const panel = this.page.locator('.part.panel');
    await this.waitForVisible(panel.locator('.monaco-editor .view-lines'), `output channel "${name}"`, timeoutMs);
    return panel;
  }

  /**
   * Opens a view container from the activity bar by its title (the tab's aria-label starts with it,
   * e.g. 'Explorer' for "Explorer (Ctrl+Shift+E)"). Does not click an already open container (a click
   * there would close the side bar).
   */
  async openActivityBarItem(title: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const page = this.page;
    const tab = page
      .locator('.part.activitybar li.action-item[role="tab"]')
      .filter({ has: page.locator(`a.action-label[aria-label^="${cssString(title)}"]`) })
      .first();
    const sidebar = page.locator('.part.sidebar');
    const isOpen = async (): Promise<boolean> => (await tab.getAttribute('aria-selected')) === 'true' && (await sidebar.isVisible());
    await this.waitForVisible(tab, `activity bar item "${title}"`, timeoutMs);
    if (!(await isOpen())) await tab.click({ timeout: timeoutMs });
    await this.waitUntil(`"${title}" to be the open view container`, isOpen, timeoutMs);
  }

  /** A row of any tree or list in the workbench, by its aria-label (exact, or a RegExp). */
  listRow(label: string | RegExp): Locator {
    const rows = this.page.locator('.monaco-list-row');
    if (typeof label === 'string') return rows.and(this.page.locator(`[aria-label="${cssString(label)}"]`));
    return rows.filter({ hasText: label });
  }

  /**
   * A webview's content: the nth outer `iframe.webview.ready` (DOM order; VS Code gives these iframes
   * no title to select by), then its `#active-frame`. Checked with the Markdown preview.
   */
  webview(nth = 0): FrameLocator {
    return this.page.locator('iframe.webview.ready').nth(nth).contentFrame().locator('#active-frame').contentFrame();
  }

  /** Texts of the visible elements of a locator (for messages). */
  async visibleTexts(locator: Locator): Promise<string[]> {
    const texts: string[] = [];
    for (const el of await locator.all().catch(() => [] as Locator[])) {
      const text = await el.textContent({ timeout: 1000 }).catch(() => null);
      if (text) texts.push(text.trim());
    }
    return texts;
  }

  // ---------------------------------------------------------------- evidence

  /** Saves a PNG of the page in the artifacts folder; returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${this.name}-${sanitize(name)}.png`);
    await this.page.screenshot({ path: file, timeout: DEFAULT_TIMEOUT_MS });
    return file;
  }

  /** The remote extension host log(s): `<user-data-dir>/logs/<session>/exthost<N>/remoteexthost.log`. */
  readExtensionHostLog(): string {
    return this.readLogs((rel) => /^[^/]+\/exthost\d+\/remoteexthost\.log$/.test(rel));
  }

  /** This extension's LogOutputChannel: `<user-data-dir>/logs/<session>/exthost<N>/<extension id>/<channel>.log`. */
  readOutputChannelLog(channel: string): string {
    const suffix = `/${this.extension.id}/${channel}.log`;
    return this.readLogs((rel) => rel.toLowerCase().endsWith(suffix.toLowerCase()));
  }

  private readLogs(select: (relativePath: string) => boolean): string {
    const root = path.join(this.userDataDir, 'logs');
    return listFiles(root)
      .filter((file) => select(path.relative(root, file).split(path.sep).join('/')))
      .sort()
      .map((file) => readText(file))
      .join('\n');
  }

  /** Marks the run failed (keeps its logs in the artifacts) and returns an error with the evidence. */
  async failure(message: string, cause?: unknown): Promise<HarnessError> {
    this.failed = true;
    let shot: string | undefined;
    if (this.pageOrUndefined && !this.pageOrUndefined.isClosed()) {
      shot = await this.screenshot(`failure-${++this.screenshotCount}`).catch(() => undefined);
    }
    const causeText = cause instanceof Error ? cause.message.split('\n').slice(0, 6).join('\n') : cause ? String(cause) : '';
    const ownLogs = this.readLogs((rel) => rel.toLowerCase().includes(`/${this.extension.id}/`));
    const report = [
      causeText && `cause: ${causeText}`,
      shot && `screenshot: ${shot}`,
      `temp folder: ${this.tempDir}`,
      section('extension host log (tail)', tail(this.readExtensionHostLog(), 60)),
      section(`${this.extension.id} output channels (tail)`, tail(ownLogs, 40)),
      section('code-server output (tail)', tail(this.serverOutput, 20)),
      section('browser console (tail)', this.consoleLines.slice(-15).join('\n')),
    ]
      .filter(Boolean)
      .join('\n');
    return new HarnessError(`[e2e ${this.name}] ${message}`, report, shot, cause);
  }

  /** Copies all logs into the artifacts folder (done by dispose() after a failure); returns the folder. */
  saveLogs(): string {
    const target = path.join(ARTIFACTS_DIR, `${this.name}-logs`);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    const logs = path.join(this.userDataDir, 'logs');
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(target, 'user-data-logs'), { recursive: true });
    fs.writeFileSync(path.join(target, 'code-server.log'), this.serverOutput);
    fs.writeFileSync(path.join(target, 'browser-console.log'), this.consoleLines.join('\n'));
    return target;
  }

  /** Tells dispose() to keep the logs (call from a mocha afterEach when the test failed). */
  markFailed(): void {
    this.failed = true;
  }

  // ---------------------------------------------------------------- shutting down

  /** Closes the browser, ends code-server's process group, removes the temp folder. Idempotent. */
  dispose(): Promise<void> {
    if (!this.disposing) this.disposing = this.doDispose();
    return this.disposing;
  }

  private async doDispose(): Promise<void> {
    if (this.failed) {
      try {
        log(`${this.name}: logs saved in ${this.saveLogs()}`);
      } catch (err) {
        log(`${this.name}: could not save logs: ${String(err)}`);
      }
    }
    if (this.browser) {
      await withTimeout(this.browser.close(), 10_000).catch(() => undefined);
      this.browser = undefined;
    }
    await this.stopServer();
    if (this.watchdog?.pid) {
      try {
        process.kill(-this.watchdog.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (!this.keepTemp()) fs.rmSync(this.tempDir, { recursive: true, force: true });
    live.delete(this);
  }

  private async stopServer(): Promise<void> {
    const pgid = this.server?.pid;
    if (!pgid) return;
    signalGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (groupAlive(pgid) && Date.now() < deadline) await delay(100);
    if (groupAlive(pgid)) {
      signalGroup(pgid, 'SIGKILL');
      const hard = Date.now() + 3000;
      while (groupAlive(pgid) && Date.now() < hard) await delay(100);
    }
    this.server = undefined;
  }

  /** Synchronous last resort at process exit: no awaiting possible there. */
  killNow(): void {
    if (this.server?.pid) signalGroup(this.server.pid, 'SIGKILL');
    if (this.watchdog?.pid) signalGroup(this.watchdog.pid, 'SIGKILL');
    if (!this.keepTemp()) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- process-wide cleanup

let handlersInstalled = false;
function installProcessHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return; // a second signal (mocha's parent sends SIGINT then SIGTERM) changes nothing
    stopping = true;
    process.stderr.write(`\n[e2e] ${signal}: shutting down ${live.size} VS Code instance(s)...\n`);
    const all = Promise.allSettled([...live].map((h) => h.dispose()));
    void withTimeout(all, 20_000)
      .catch(() => undefined)
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    for (const h of live) h.killNow();
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* no such group any more */
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- helpers

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'e2e', 'prepareHost.js')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`project root not found above ${start}`);
  }
}

/** The cached host from scripts/e2e/prepareHost.js; runs it when the cache is not there yet. */
function readHost(): HostInfo {
  const file = path.join(CACHE_DIR, 'host.json');
  const load = (): HostInfo | undefined => {
    try {
      const host = JSON.parse(fs.readFileSync(file, 'utf8')) as HostInfo;
      return fs.existsSync(host.node) && fs.existsSync(host.codeServerEntry) ? host : undefined;
    } catch {
      return undefined;
    }
  };
  let host = load();
  if (!host) {
    log('no cached VS Code host yet: running scripts/e2e/prepareHost.js');
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'e2e', 'prepareHost.js')], { stdio: 'inherit' });
    host = r.status === 0 ? load() : undefined;
    if (!host) throw new Error(`preparing the VS Code host failed (exit ${r.status}); see its output above`);
  }
  return host;
}

/** `<name>-<version>.vsix` in the project root, as `npm run package` writes it. */
function defaultVsix(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as ExtensionPackageJson;
  return path.join(PROJECT_ROOT, `${pkg.name}-${pkg.version}.vsix`);
}

function readVsixPackageJson(vsix: string): ExtensionPackageJson {
  const r = spawnSync('unzip', ['-p', vsix, 'extension/package.json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot read extension/package.json from ${vsix}: ${r.error?.message || r.stderr}`);
  return JSON.parse(r.stdout) as ExtensionPackageJson;
}

function extensionIdentity(pkg: ExtensionPackageJson): ExtensionIdentity {
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  return { id, folderName: `${id}-${pkg.version}`, displayName: pkg.displayName || pkg.name, version: pkg.version, packageName: pkg.name };
}

function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .map((rel) => path.join(root, rel))
    .filter((file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function section(title: string, body: string): string {
  return body.trim() ? `----- ${title}\n${body}` : `----- ${title}: (empty)`;
}

function sanitize(name: string): string {
  return (
    name
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'unnamed'
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

function log(message: string): void {
  console.log(`      [e2e] ${message}`);
}
