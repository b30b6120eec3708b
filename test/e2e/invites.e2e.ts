import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXTENSION_ID, inviteUri, parseJoinText } from '../../src/net/invite';
import { VsCodeHarness } from './harness';
import { Cleanup, clearNotifications, freePort, notification, openConversation, peerRow, pickPeers, shownMessageTexts, statusItem } from './team';

/**
 * Invites, in two real VS Codes: alice hosts the relay in hers (Start Local Relay) and runs Invite
 * Teammate… from the relay's notification; the test takes the link from her clipboard, as she
 * would to send it. bob, in a VS Code that has never seen the relay, opens the link (Developer:
 * Open URL, which hands `code-oss://team-messenger.team-messenger/join?invite=…` to the extension's
 * URI handler the way a clicked link does) and is in: no address, secret or certificate asked for.
 * They chat both ways. Before that, an expired invite shows why it does not work and changes
 * nothing. Screenshots of the walkthrough and the extension's page in the Extensions view.
 */
describe('e2e Team Messenger: invite a teammate with a link', function () {
  const suite = new Cleanup();
  let alice: VsCodeHarness;
  let bob: VsCodeHarness;
  let port: number;
  let link: string;

  before(async function () {
    port = await freePort();
    alice = await VsCodeHarness.launch({
      name: 'invite-alice',
      settings: { 'teamMessenger.displayName': 'alice', 'teamMessenger.relay.host': '127.0.0.1', 'teamMessenger.relay.port': port },
    });
    suite.add('dispose alice', () => alice.dispose());
    bob = await VsCodeHarness.launch({ name: 'invite-bob', settings: { 'teamMessenger.displayName': 'bob' } });
    suite.add('dispose bob', () => bob.dispose());
    for (const vscode of [alice, bob]) await vscode.waitForLog('Team Messenger activated', { channel: 'Team Messenger' });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      alice?.markFailed();
      bob?.markFailed();
    }
  });

  after(async function () {
    await suite.run();
  });

  /** bob's user settings as VS Code saved them. */
  const bobSettings = (): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(bob.userDataDir, 'User', 'settings.json'), 'utf8')) as Record<string, unknown>;

  /** bob opens a link as if clicked: VS Code asks once whether Team Messenger may open links (remembered). */
  async function openLink(url: string, firstTime: boolean): Promise<void> {
    await bob.runCommand('Developer: Open URL');
    const input = bob.page.locator('.quick-input-widget .quick-input-box input');
    await bob.waitForVisible(input, 'the Open URL box');
    await input.fill(url);
    await input.press('Enter');
    if (!firstTime) return;
    const dialog = bob.page.locator('.monaco-dialog-box');
    await bob.waitForVisible(dialog.filter({ hasText: 'Team Messenger' }), "VS Code's question whether Team Messenger may open the link");
    await bob.screenshot('1-vscode-asks-to-open-link');
    await dialog.locator('.monaco-checkbox').first().click();
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await bob.waitForHidden(dialog, 'the question to close');
  }

  /** A step of the open walkthrough, by its title. */
  const walkthroughStep = (vscode: VsCodeHarness, title: string) =>
    vscode.page.locator('.gettingStartedContainer .getting-started-step').filter({ has: vscode.page.locator('.step-title', { hasText: title }) });

  /** The titles of the walkthrough's steps that are ticked. */
  const doneSteps = async (vscode: VsCodeHarness) =>
    (await vscode.page.locator('.gettingStartedContainer button.getting-started-step[aria-checked="true"] .step-title').allTextContents()).map((t) => t.trim());

  /** Whether some webview (the walkthrough's step page is one) shows `text`. */
  async function webviewShows(vscode: VsCodeHarness, text: string): Promise<boolean> {
    const count = await vscode.page.locator('iframe.webview.ready').count();
    for (let i = 0; i < count; i++) {
      if (
        await vscode
          .webview(i)
          .getByText(text)
          .first()
          .isVisible()
          .catch(() => false)
      )
        return true;
    }
    return false;
  }

  it('alice hosts a relay and copies an invite link: addresses and fingerprint, no secret', async function () {
    await alice.openActivityBarItem('Team Messenger');
    await alice.runCommand('Team Messenger: Start Local Relay');
    await alice.waitForVisible(statusItem(alice).filter({ hasText: `Hosting on :${port}` }), `alice's status bar to say she hosts on port ${port}`);
    const hosting = notification(alice, `Hosting a relay on port ${port}.`);
    await alice.waitForSteady(hosting, 'the "Hosting a relay" notification');
    await hosting.getByRole('button', { name: 'Invite Teammate…', exact: true }).click();
    await pickPeers(alice, 'Invite Teammate', ['One person, valid 7 days'], false);
    await alice.waitForSteady(notification(alice, 'Invite link copied: one person, valid until'), 'the "Invite link copied" notification');
    await alice.waitForSteady(alice.listRow(`Hosting on 127.0.0.1:${port}. Invite Teammate`), 'the hosting row in the Peers view');
    await alice.screenshot('1-invite-copied');

    await alice.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(alice.url).origin });
    const copied = String(await alice.page.evaluate('navigator.clipboard.readText()'));
    const [first, second] = copied.split('\n');
    assert.ok(first.startsWith(`code-oss://${EXTENSION_ID}/join?invite=tm1.`), `the link on the first line: ${first.slice(0, 80)}`);
    assert.ok(second.startsWith('tm1.') && first.endsWith(second), 'the bare invite on the second line');
    assert.doesNotMatch(copied, /secret/i);
    const parsed = parseJoinText(first);
    assert.ok(parsed.kind === 'invite');
    assert.deepEqual(parsed.invite.addresses, [`127.0.0.1:${port}`]);
    assert.match(parsed.invite.fingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(parsed.invite.from, 'alice');
    link = first;
  });

  it('an expired invite says so, and bob stays as he was', async function () {
    assert.ok(link, 'the invite from the first scenario');
    // A newcomer's first look: the Peers view offers Paste Invite…; the walkthrough, nothing done but the install.
    await bob.openActivityBarItem('Team Messenger');
    await bob.waitForSteady(
      bob.page.locator('.part.sidebar .welcome-view-content').getByRole('button', { name: 'Paste Invite…' }),
      'Paste Invite… in the Peers view',
    );
    await bob.screenshot('0-peers-welcome');
    await bob.runCommand('Team Messenger: Get Started');
    await bob.waitForSteady(walkthroughStep(bob, 'Join your team'), 'the walkthrough');
    await bob.screenshot('0-walkthrough-before');
    assert.deepEqual(await doneSteps(bob), ['Install Team Messenger']);
    const parsed = parseJoinText(link);
    assert.ok(parsed.kind === 'invite');
    const expired = inviteUri({ ...parsed.invite, expiresAt: Date.now() - 60_000 }, 'code-oss', EXTENSION_ID);
    await openLink(expired, true);
    const error = notification(bob, 'Could not join the team: this invite expired on');
    await bob.waitForSteady(error, 'the "invite expired" error');
    await bob.screenshot('2-expired-invite');
    assert.equal(bobSettings()['teamMessenger.server'], undefined, 'no server set');
    await bob.waitForVisible(statusItem(bob).filter({ hasText: 'Team Messenger: offline' }), 'bob still offline');
    await clearNotifications(bob);
  });

  it('bob opens the link and is in, with no other question; they chat both ways', async function () {
    await openLink(link, false);
    await bob.waitForSteady(notification(bob, `Joined the team at 127.0.0.1:${port} (invited by alice).`), 'the "Joined the team" notification');
    assert.equal(await bob.page.locator('.monaco-dialog-box').count(), 0, 'no certificate or secret question');
    await bob.waitForVisible(peerRow(bob, 'alice', 'online'), 'alice in bob’s Peers view');
    await bob.waitForVisible(statusItem(bob).filter({ hasText: `127.0.0.1:${port} · 1 online` }), 'bob connected, alice online');
    await bob.screenshot('3-joined');
    assert.equal(bobSettings()['teamMessenger.server'], `127.0.0.1:${port}`, 'the server that worked is kept');
    // The certificate the invite vouched for is pinned on disk at once, not when the workbench is idle.
    const pins = await bob.waitUntil('the pinned certificate on disk', () => pinnedCertificates(bob.userDataDir));
    assert.match(String(pins[`teamMessenger.pinnedCertificate.127.0.0.1:${port}`]), /^[0-9a-f:]{64,}$/i);

    await alice.waitForVisible(peerRow(alice, 'bob', 'online'), 'bob in alice’s Peers view');
    const bobChat = await openConversation(bob, 'alice');
    await bobChat.locator('#composer-input').click();
    await bob.page.keyboard.type('Hi alice, the link worked');
    await bob.page.keyboard.press('Enter');
    const aliceChat = await openConversation(alice, 'bob');
    await alice.waitUntil("bob's message in alice's chat", async () => (await shownMessageTexts(aliceChat)).includes('Hi alice, the link worked'));
    await aliceChat.locator('#composer-input').click();
    await alice.page.keyboard.type('Welcome, bob');
    await alice.page.keyboard.press('Enter');
    await bob.waitUntil("alice's reply in bob's chat", async () => (await shownMessageTexts(bobChat)).includes('Welcome, bob'));
    await bob.screenshot('4-chat');
    await alice.screenshot('2-chat');
  });

  it('after a reload bob is back on the team, asked nothing: the secret and the certificate were kept', async function () {
    // Reload Window, as a person would: an orderly shutdown writes what the extension stored (a
    // reload of the browser page alone may come before VS Code flushed its global state).
    await bob.runCommand('Developer: Reload Window');
    await bob.page.waitForLoadState('domcontentloaded');
    await bob.waitForVisible(bob.page.locator('.monaco-workbench'), 'the workbench after the reload');
    // A new extension host: the connection is made again from what was stored.
    await bob.waitUntil('the extension to start again', () => bob.readOutputChannelLog('Team Messenger').split('Team Messenger activated').length > 2);
    await bob.waitForVisible(statusItem(bob).filter({ hasText: `127.0.0.1:${port} · 1 online` }), 'bob connected again, alice online');
    assert.equal(await bob.page.locator('.monaco-dialog-box').count(), 0, 'no certificate question');
    assert.equal(await bob.page.locator('.quick-input-widget input[type="password"]:visible').count(), 0, 'no secret asked for');
    await alice.waitForVisible(peerRow(alice, 'bob', 'online'), 'bob back in alice’s Peers view');
  });

  it('the walkthrough marks joining and saying hello done; the extension page reads well', async function () {
    await bob.runCommand('Team Messenger: Get Started');
    await bob.waitForSteady(walkthroughStep(bob, 'Send a file'), 'the walkthrough');
    await bob.waitUntil('the join and hello steps to be done', async () => (await doneSteps(bob)).length === 3);
    assert.deepEqual(await doneSteps(bob), ['Install Team Messenger', 'Join your team', 'Say hello']);
    await walkthroughStep(bob, 'Join your team').click();
    await bob.waitUntil("the join step's page", () => webviewShows(bob, 'You got an invite link'));
    await bob.waitForSteady(walkthroughStep(bob, 'Join your team'), "the join step's page");
    await bob.screenshot('5-walkthrough-join');
    await walkthroughStep(bob, 'Send a file').click();
    await bob.waitUntil("the file step's page", () => webviewShows(bob, 'right-click a file'));
    await bob.screenshot('6-walkthrough-send-file');

    // The activity bar rather than the palette: the walkthrough takes the focus back as it settles.
    await bob.openActivityBarItem('Extensions');
    const item = bob.page.locator('.extensions-viewlet .extension-list-item').filter({ hasText: bob.extension.displayName });
    await bob.waitForSteady(item, 'Team Messenger among the installed extensions');
    await item.click();
    const page = bob.page.locator('.extension-editor');
    await bob.waitForSteady(page.locator('.name', { hasText: bob.extension.displayName }), 'the extension page');
    await bob.screenshot('7-extension-page');
    // What it contributes, as the Features tab lists it: the invite commands among them.
    await page.locator('.navbar .action-label', { hasText: /^Features$/i }).click();
    await page.getByText('Commands', { exact: true }).first().click();
    await bob.waitForSteady(page.getByText('teamMessenger.inviteTeammate').first(), 'Invite Teammate… among the listed commands');
    await bob.screenshot('8-extension-features');
  });
});

/** The pins in `<user-data-dir>/User/globalStorage/<extension id>/pinned-certificates.json`, once written. */
function pinnedCertificates(userDataDir: string): Record<string, unknown> | undefined {
  const file = path.join(userDataDir, 'User', 'globalStorage', EXTENSION_ID, 'pinned-certificates.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : undefined;
}
