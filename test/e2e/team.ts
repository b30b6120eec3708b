/**
 * What the Team Messenger scenarios share: a relay of our own core, a second peer that is a headless
 * TeamClient in the test process (so a scenario sees exactly what arrives on the other side), temp
 * folders, and the few Team Messenger UI bits the scenarios drive (peers tree rows, the peer quick
 * pick, notifications, the chat webview, the status bar).
 *
 * Everything here is stopped by the scenario's after()/afterEach(): `Cleanup` collects it.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import { ClientTlsOptions, TeamClient } from '../../src/net/client/teamClient';
import { TeamMessengerError } from '../../src/net/protocol/errors';
import { generateIdentity, Identity } from '../../src/net/identity';
import type { ChatMessage } from '../../src/net/protocol/messages';
import type { IncomingTransfer, ReceivedFile } from '../../src/net/transfer/incomingTransfer';
import { createCertificate } from '../../src/server/certificate';
import { Relay } from '../../src/server/relay';
import { HarnessOptions, VsCodeHarness } from './harness';

// ---------------------------------------------------------------- cleanup

/**
 * The hooks a scenario file shares: a failed test keeps its VS Code's logs and screenshot
 * (markFailed), each test's own cleanup runs after it, and the suite's at the end.
 */
export function scenarioHooks(vscode: () => VsCodeHarness | undefined, scenario: Cleanup, suite: Cleanup): void {
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') vscode()?.markFailed();
    await scenario.run();
  });
  after(async function () {
    await scenario.run();
    await suite.run();
  });
}

/** Things to stop at the end of a scenario or a describe block, last in first out; never throws. */
export class Cleanup {
  private readonly tasks: { what: string; run: () => unknown }[] = [];

  add(what: string, run: () => unknown): void {
    this.tasks.push({ what, run });
  }

  async run(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await task.run();
      } catch (err) {
        console.log(`      [e2e] cleanup "${task.what}" failed: ${(err as Error).message}`);
      }
    }
  }
}

/** A fresh temp folder, removed by `cleanup`. */
export function tempDir(cleanup: Cleanup, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tm-e2e-${prefix}-`));
  cleanup.add(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A port that was free a moment ago (for a setting that needs a fixed port before VS Code starts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------- relay and headless peer

/**
 * A relay of our own core on a free loopback port, without a team secret; stopped by `cleanup`.
 * With `tls` it uses a fresh self-signed certificate (its fingerprint is returned), else plain TCP.
 * `fullPresenceLimit` (the relay's default otherwise, 1000): above this many online identities the
 * relay switches to watched presence (a big team), so a scenario can get there with a few peers.
 */
export async function startRelay(
  cleanup: Cleanup,
  options: { tls?: boolean; fullPresenceLimit?: number } = {},
): Promise<{ relay: Relay; port: number; server: string; fingerprint?: string }> {
  const certificate = options.tls ? createCertificate({ commonName: 'e2e relay', altNames: ['127.0.0.1'] }) : undefined;
  const relay = new Relay({
    host: '127.0.0.1',
    port: 0,
    auth: { noAuth: true },
    shutdownGraceMs: 500,
    tls: certificate ? { certPem: certificate.certPem, keyPem: certificate.keyPem } : false,
    ...(options.fullPresenceLimit !== undefined ? { fullPresenceLimit: options.fullPresenceLimit } : {}),
  });
  const { port } = await relay.start();
  cleanup.add('stop the relay', () => relay.stop('the test is over'));
  return { relay, port, server: `127.0.0.1:${port}`, ...(certificate ? { fingerprint: certificate.fingerprint256 } : {}) };
}

/**
 * The other person: a headless TeamClient that records what reaches it. Offers of files are kept
 * in `offers` (answered by the scenario), or accepted into `autoAcceptDir` when that is set.
 */
export class HeadlessPeer {
  readonly messages: ChatMessage[] = [];
  readonly disconnects: TeamMessengerError[] = [];
  readonly offers: IncomingTransfer[] = [];
  /** Files received through offers accepted by `autoAcceptDir`, verified by the core. */
  readonly received: ReceivedFile[] = [];
  /** Offers end here: accepted into this folder when set (else left for the scenario to answer). */
  autoAcceptDir: string | undefined;

  private constructor(readonly client: TeamClient) {
    client.on('message', (m) => this.messages.push(m));
    client.on('disconnected', (e) => this.disconnects.push(e));
    client.on('file-offer', (transfer) => {
      this.offers.push(transfer);
      if (!this.autoAcceptDir) return;
      transfer.done.then(
        (files) => this.received.push(...files),
        () => undefined,
      );
      void transfer.accept({ dir: this.autoAcceptDir }).catch(() => undefined);
    });
  }

  /** Connects (resolves at the relay's welcome); `cleanup` closes it. `machine` defaults to 'e2e-headless'. */
  static async connect(
    cleanup: Cleanup,
    options: { port: number; name: string; machine?: string; identity?: Identity; secret?: string; tls?: ClientTlsOptions; reconnect?: boolean },
  ): Promise<HeadlessPeer> {
    const client = new TeamClient({
      host: '127.0.0.1',
      port: options.port,
      name: options.name,
      machine: options.machine ?? 'e2e-headless',
      identity: options.identity ?? generateIdentity(),
      ...(options.secret ? { secret: options.secret } : {}),
      tls: options.tls ?? false,
      // `reconnect`: rides out a relay that goes away and comes back, as a person's client does.
      reconnect: options.reconnect ?? false,
      retryFirstConnect: false,
      ...(options.reconnect ? { backoff: { initialMs: 200, maxMs: 1000 } } : {}),
    });
    const peer = new HeadlessPeer(client);
    cleanup.add(`close ${options.name}`, () => client.close());
    await client.connect();
    return peer;
  }

  get clientId(): string {
    return this.client.clientId;
  }

  /** The client id of the online peer called `name`, or undefined. */
  peerId(name: string): string | undefined {
    for (const p of this.client.peers.values()) if (p.name === name) return p.clientId;
    return undefined;
  }

  /** Sends a direct message and waits for the relay's ack. */
  async tell(to: string, text: string): Promise<void> {
    await this.client.send([to], text);
  }

  quit(): Promise<void> {
    return this.client.close();
  }
}

// ---------------------------------------------------------------- the UI

/** The Peers view's row for `name` in `state` (its aria-label is "name, state[, N unread]"). */
export function peerRow(vscode: VsCodeHarness, name: string, state: 'online' | 'offline', unread = 0): Locator {
  return vscode.listRow(`${name}, ${state}${unread ? `, ${unread} unread` : ''}`);
}

/**
 * In the extension's peer picker (src/views/peerPicker.ts) titled `title`, picks the peers by name
 * and accepts. The extension labels them "$(account) name", so a row's text is the name. `many`:
 * the picker was opened with canPickMany (Send to…, Share Selection with…, New Group Conversation):
 * rows have checkboxes, the OK button accepts.
 *
 * Waits for the title first: right after a command palette entry runs, the widget on screen is
 * still the palette's for a moment (same element), and a row clicked then is not the picker's.
 */
export async function pickPeers(vscode: VsCodeHarness, title: string, names: string[], many = true): Promise<void> {
  const widget = vscode.page.locator('.quick-input-widget');
  await vscode.waitForVisible(widget.locator('.quick-input-title', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }), `the peer picker "${title}"`);
  if (many) await vscode.waitForVisible(vscode.page.locator('.quick-input-widget.show-checkboxes'), `the peer picker "${title}" to offer checkboxes`);
  for (const name of names) {
    const row = widget
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(name)}\\s*$`) }) })
      .first();
    await vscode.waitForVisible(row, `${name} in the peer picker`);
    if (many) {
      await row.locator('.monaco-checkbox').click();
      await vscode.waitUntil(`${name} to be ticked`, async () => (await row.getAttribute('aria-checked')) === 'true');
    } else {
      await row.click();
    }
  }
  if (many) await widget.getByRole('button', { name: 'OK', exact: true }).click();
  await vscode.waitForHidden(widget, `the peer picker "${title}" to close`);
}

/** Clicks an entry of the open context menu (VS Code draws its own menus in the browser). */
export async function clickMenuItem(vscode: VsCodeHarness, label: string): Promise<void> {
  const item = vscode.page.getByRole('menuitem', { name: new RegExp(`^${escapeRegExp(label)}`) });
  await vscode.waitForVisible(item, `"${label}" in the context menu`);
  // A click that arrives before the pointer is over the item can be taken for the end of the
  // right-click that opened the menu: hover first.
  await item.hover();
  await item.click();
  await vscode.waitForHidden(item, 'the context menu to close');
}

/** A notification toast whose message contains `text`. */
export function notification(vscode: VsCodeHarness, text: string): Locator {
  return vscode.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text });
}

/** Clicks a button of the toast whose message contains `text`. */
export async function clickNotificationButton(vscode: VsCodeHarness, text: string, button: string): Promise<void> {
  const toast = notification(vscode, text);
  await vscode.waitForVisible(toast, `the notification "${text}"`);
  await toast.getByRole('button', { name: button, exact: true }).first().click();
}

/** Closes every notification (a scenario's screenshots then show only its own). */
export async function clearNotifications(vscode: VsCodeHarness): Promise<void> {
  await vscode.runCommand('Notifications: Clear All Notifications');
  await vscode.waitForHidden(vscode.page.locator('.notifications-toasts .notification-toast'), 'the notifications to close');
}

/**
 * The extension's status bar item (statusBar.ts; its text is one of connectionText.ts's status bar
 * texts). VS Code gives the element the id `<extension id>.<item id>`.
 */
export function statusItem(vscode: VsCodeHarness): Locator {
  return vscode.page.locator(`.part.statusbar .statusbar-item[id="${vscode.extension.id}.teamMessenger.status"]`);
}

/** The chat panel's webview content (the only webview in these scenarios). */
export function chat(vscode: VsCodeHarness): FrameLocator {
  return vscode.webview(0);
}

/** Opens the chat (command palette) and selects the conversation titled `title`; waits until it is shown. */
export async function openConversation(vscode: VsCodeHarness, title: string): Promise<FrameLocator> {
  await vscode.runCommand('Team Messenger: Open Chat');
  const frame = chat(vscode);
  const row = frame.locator(`.conversation-row[title="${title}"]`);
  await vscode.waitForVisible(row, `"${title}" in the chat's conversation list`);
  await row.click();
  // A channel's header shows its name after a "#" icon: "#deploys" is headed "deploys".
  const heading = title.startsWith('#') ? title.slice(1) : title;
  await vscode.waitForVisible(
    frame.locator('.conversation-header .header-title', { hasText: new RegExp(`^${escapeRegExp(heading)}$`) }),
    `the conversation "${title}" to be shown`,
  );
  await vscode.waitForVisible(frame.locator('#composer-input:enabled'), 'the composer to be enabled');
  return frame;
}

/** The exact texts of the messages shown in the chat panel. */
export async function shownMessageTexts(frame: FrameLocator): Promise<string[]> {
  return frame.locator('#log .message-text').allTextContents();
}

/**
 * Returns once the extension host has handled everything the workbench told it so far (which editor
 * is active, whether the chat panel is visible, ...): those events and a command travel to it in
 * order on one channel, so when a command's answer (here Set Status's quick pick) is on screen, the
 * earlier events are done. Needs the extension to be connected.
 */
export async function extensionHostCaughtUp(vscode: VsCodeHarness): Promise<void> {
  await vscode.runCommand('Team Messenger: Set Status…');
  const title = vscode.page.locator('.quick-input-widget .quick-input-title', { hasText: /^\s*Set Status\s*$/ });
  await vscode.waitForVisible(title, 'the extension host to answer (Set Status)');
  await vscode.page.keyboard.press('Escape');
  await vscode.waitForHidden(vscode.page.locator('.quick-input-widget'), 'Set Status to close');
}

/** Opens a workspace file by name through Quick Open ("Go to File..."). */
export async function openFile(vscode: VsCodeHarness, name: string): Promise<void> {
  await vscode.runCommand('Go to File...');
  await vscode.pickQuickInputItem(name, undefined, name);
  await vscode.waitForVisible(vscode.page.locator('.tabs-container .tab.active', { hasText: name }), `${name} to be the active editor`);
}

/** Moves the active editor's cursor to `target` ("7", or "9:16" for line 9, column 16) with Go to Line. */
export async function goToLine(vscode: VsCodeHarness, target: string): Promise<void> {
  await vscode.page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
  await vscode.page.keyboard.press('Control+G');
  const goTo = vscode.page.locator('.quick-input-widget .quick-input-box input');
  // Go to Line opens with ":" in its box: waiting for it makes sure the target is typed there, not into the editor.
  await vscode.waitUntil('Go to Line to open', async () => (await goTo.isVisible()) && (await goTo.inputValue()) === ':');
  await vscode.page.keyboard.type(target);
  await vscode.page.keyboard.press('Enter');
  await vscode.waitForHidden(vscode.page.locator('.quick-input-widget'), 'Go to Line to close');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * alice's VS Code, connecting at start-up to a plain relay (no secret; the TLS path is the
 * peers-and-chat suite's) at `server`; resolves once the extension says it is connected.
 * `suite` disposes it.
 */
export async function launchAlice(
  suite: Cleanup,
  options: { name: string; server: string; workspaceFiles?: Record<string, string>; settings?: HarnessOptions['settings'] },
): Promise<VsCodeHarness> {
  const vscode = await VsCodeHarness.launch({
    name: options.name,
    ...(options.workspaceFiles ? { workspaceFiles: options.workspaceFiles } : {}),
    settings: {
      'teamMessenger.server': options.server,
      'teamMessenger.displayName': 'alice',
      'teamMessenger.autoConnect': true,
      'teamMessenger.plainTcp': true,
      ...options.settings,
    },
  });
  suite.add('dispose VS Code', () => vscode.dispose());
  await vscode.waitForLog(/connected to relay/, { channel: 'Team Messenger', what: 'the extension to connect to the relay' });
  return vscode;
}

/** alice's VS Code and bob, a headless peer, on a relay of their own: see aliceAndBob(). */
export interface AliceAndBob {
  /** Stopped after the describe block (the relay, alice's VS Code, whatever else a scenario adds). */
  readonly suite: Cleanup;
  /** Stopped after each test. */
  readonly scenario: Cleanup;
  /** alice's VS Code, from the suite's before() on. */
  readonly vscode: VsCodeHarness;
  readonly port: number;
  /**
   * Connects bob (closed by `cleanup`: the scenario's unless given) and waits until he sees alice
   * online. He has one identity for the whole suite, so each connection is the same person to alice.
   */
  connectBob(cleanup?: Cleanup): Promise<{ vscode: VsCodeHarness; bob: HeadlessPeer; aliceId: string }>;
}

type AliceOptions = Omit<Parameters<typeof launchAlice>[1], 'server'>;

/**
 * The two-person setup most scenarios share: inside describe(), registers a before() that starts a
 * relay and alice's VS Code connected to it (launchAlice), and the scenario hooks (scenarioHooks).
 * `settings` may be a function of the suite's cleanup: a setting that names a temp folder then gets
 * it when the suite starts (not when mocha reads the file, nor for a suite --grep leaves out), and
 * the folder goes with the suite.
 */
export function aliceAndBob(
  options: Omit<AliceOptions, 'settings'> & { settings?: AliceOptions['settings'] | ((suite: Cleanup) => AliceOptions['settings']) },
): AliceAndBob {
  const suite = new Cleanup();
  const scenario = new Cleanup();
  const bobIdentity = generateIdentity();
  let started: { vscode: VsCodeHarness; port: number } | undefined;
  const ready = (): { vscode: VsCodeHarness; port: number } => {
    if (!started) throw new Error("alice's VS Code is not started yet: use it in a test or a hook, not in describe()");
    return started;
  };

  before(async function () {
    const relay = await startRelay(suite);
    const settings = typeof options.settings === 'function' ? options.settings(suite) : options.settings;
    started = { port: relay.port, vscode: await launchAlice(suite, { ...options, settings, server: relay.server }) };
  });
  scenarioHooks(() => started?.vscode, scenario, suite);

  return {
    suite,
    scenario,
    get vscode() {
      return ready().vscode;
    },
    get port() {
      return ready().port;
    },
    async connectBob(cleanup = scenario) {
      const { vscode, port } = ready();
      const bob = await HeadlessPeer.connect(cleanup, { port, name: 'bob', identity: bobIdentity });
      const aliceId = await vscode.waitUntil('bob to see alice online', () => bob.peerId('alice'));
      return { vscode, bob, aliceId };
    },
  };
}
