import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { registerCommands } from '../../../src/extension/commands';
import { context, Fakes } from './commandFakes';
import { CodeCommand } from '../../../src/extension/codeCommandIds';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

interface Step {
  id: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents?: string[];
}

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string; when?: string; group?: string }[]>;
    configuration: { properties: Record<string, { type: string; default: unknown }> };
    viewsWelcome: { view: string; contents: string }[];
    walkthroughs: { id: string; title: string; steps: Step[] }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Commands a `command:` link may name besides ours: the ones VS Code makes for our view. */
const VIEW_COMMANDS = new Set(['teamMessenger.peers.focus']);

/** A channel's row menu as its creator sees it, in order (others see it without archiveChannel). */
const CHANNEL_ROW_COMMANDS = [
  'openChannel',
  'renameChannel',
  'setChannelTopic',
  'addChannelMembers',
  'leaveChannel',
  'archiveChannel',
  'conversationNotifications',
  'sendUrgentMessage',
];

function commandLinks(text: string): string[] {
  return [...text.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]);
}

describe('package.json: what invites and the walkthrough contribute', () => {
  const fakes = new Fakes();
  registerCommands(context().c, fakes.ports());
  // The code-aware messages' commands are registered by src/extension/codeMessagesWiring.ts.
  const known = (id: string) => fakes.commands.has(id) || VIEW_COMMANDS.has(id) || Object.values<string>(CodeCommand).includes(id);

  it('every menu entry, welcome link and walkthrough link names a command the extension registers', () => {
    const named = [
      ...Object.values(manifest.contributes.menus).flatMap((entries) => entries.map((e) => e.command)),
      ...manifest.contributes.viewsWelcome.flatMap((w) => commandLinks(w.contents)),
      ...manifest.contributes.walkthroughs.flatMap((w) => w.steps.flatMap((s) => commandLinks(s.description))),
    ];
    assert.deepEqual(
      named.filter((id) => !known(id)),
      [],
    );
  });

  it('the Peers view welcome offers Paste Invite… beside Connect and Start Local Relay', () => {
    const contents = manifest.contributes.viewsWelcome.find((w) => w.view === 'teamMessenger.peers')?.contents ?? '';
    for (const id of ['teamMessenger.pasteInvite', 'teamMessenger.connect', 'teamMessenger.startLocalRelay'])
      assert.ok(commandLinks(contents).includes(id), id);
  });

  it('Invite Teammate… is in the Peers view title bar and on the hosting row', () => {
    const title = manifest.contributes.menus['view/title'].filter((e) => e.command === 'teamMessenger.inviteTeammate');
    assert.equal(title.length, 1);
    const row = manifest.contributes.menus['view/item/context'].filter((e) => e.command === 'teamMessenger.inviteTeammate');
    assert.match(row[0]?.when ?? '', /viewItem == hosting/);
  });

  it("the Channels heading has Browse and Create; a channel's row its menu, #general only Open and Set Topic", () => {
    const menus = manifest.contributes.menus;
    // The row kinds as the tree sets them (channelNodes.ts, peersTree.ts), matched as VS Code does.
    const shownOn = (contextValue: string, menu: 'view/item/context', inline: boolean) =>
      menus[menu]
        .filter((e) => /^inline/.test(e.group ?? '') === inline)
        .filter((e) => {
          const when = e.when ?? '';
          const equal = /viewItem == ([\w.]+)/.exec(when);
          const regex = /viewItem =~ \/(.+)\//.exec(when);
          return (equal && equal[1] === contextValue) || (regex && new RegExp(regex[1]).test(contextValue));
        })
        .map((e) => e.command.replace('teamMessenger.', ''));
    assert.deepEqual(shownOn('section.channels', 'view/item/context', true), ['browseChannels', 'createChannel']);
    // Only its creator may archive a channel (the relay refuses anyone else).
    assert.deepEqual(shownOn('channel.creator', 'view/item/context', false), CHANNEL_ROW_COMMANDS);
    assert.deepEqual(
      shownOn('channel', 'view/item/context', false),
      CHANNEL_ROW_COMMANDS.filter((id) => id !== 'archiveChannel'),
    );
    assert.deepEqual(shownOn('channel.general', 'view/item/context', false), [
      'openChannel',
      'setChannelTopic',
      'conversationNotifications',
      'sendUrgentMessage',
    ]);
    assert.deepEqual(
      shownOn('peer.online', 'view/item/context', false),
      ['sendFileToThisPeer', 'pingPeer', 'conversationNotifications', 'sendUrgentMessage'],
      'no channel entry on a peer',
    );
    assert.deepEqual(shownOn('peer.offline', 'view/item/context', false), ['conversationNotifications', 'sendUrgentMessage']);
  });

  it('Search Messages… is in the Peers view title bar and the Command Palette; the row-only commands are not in the palette', () => {
    const title = manifest.contributes.menus['view/title'].find((e) => e.command === 'teamMessenger.searchMessages');
    assert.match(title?.group ?? '', /^navigation/);
    const palette = new Map(manifest.contributes.menus.commandPalette.map((e) => [e.command.replace('teamMessenger.', ''), e.when]));
    for (const id of ['searchMessages', 'browseChannels', 'createChannel', 'unarchiveChannel'])
      assert.equal(palette.get(id), 'teamMessenger.state == connected', id);
    for (const id of CHANNEL_ROW_COMMANDS) assert.equal(palette.get(id), 'false', `${id} needs a channel's row`);
  });

  it('sends read receipts unless turned off', () => {
    const receipts = manifest.contributes.configuration.properties['teamMessenger.sendReadReceipts'];
    assert.equal(receipts?.type, 'boolean');
    assert.equal(receipts?.default, true);
  });

  it('activates for a link (onUri), so a link opened at start-up reaches the handler', () => {
    assert.ok(manifest.activationEvents.includes('onUri'));
  });

  it("the walkthrough's steps: install, join, say hello, send a file; each with its markdown, whose links name our commands", () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.equal(walkthrough.id, 'teamMessenger.getStarted');
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ['install', 'join', 'sayHello', 'sendFile'],
    );
    for (const step of walkthrough.steps) {
      assert.ok(step.completionEvents?.length, `${step.id} says when it is done`);
      const file = path.join(ROOT, step.media.markdown ?? '');
      assert.ok(step.media.markdown?.startsWith('media/walkthrough/') && fs.existsSync(file), `${step.id}: ${step.media.markdown}`);
      const links = commandLinks(fs.readFileSync(file, 'utf8'));
      assert.deepEqual(
        links.filter((id) => !known(id)),
        [],
        step.id,
      );
    }
    assert.deepEqual(walkthrough.steps[1].completionEvents, ['onContext:teamMessenger.state == connected']);
  });
});
