import { strict as assert } from 'node:assert';
import { EXTENSION_ID } from '../../../src/net/invite';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import {
  formatMessageLink,
  isConversationKey,
  isRelayMessageId,
  MAX_MESSAGE_LINK_CHARS,
  MessageLink,
  parseMessageLink,
  ParsedMessageLink,
} from '../../../src/model/messageLinks';

const ALICE = 'A'.repeat(22);
const BOB = 'B'.repeat(22);
const CAROL = 'c'.repeat(43);
const ID = 'x3Rk_9-aQ2mZ-1234';

function problem(parsed: ParsedMessageLink): string {
  assert.equal(parsed.ok, false, JSON.stringify(parsed));
  return (parsed as { problem: string }).problem;
}

function linkOf(parsed: ParsedMessageLink): MessageLink {
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.link;
}

/** The parts VS Code's Uri gives a handler: its query percent-decoded. */
function uriParts(link: string): { authority: string; path: string; query: string } {
  const url = new URL(link);
  return { authority: url.host, path: decodeURIComponent(url.pathname), query: decodeURIComponent(url.search.slice(1)) };
}

describe('message links', () => {
  it('round-trip channels, #general, direct and group conversations, and thread replies', () => {
    const links: MessageLink[] = [
      { key: '#general', messageId: ID },
      { key: '#Ab_c-9', messageId: 'ep-1' },
      { key: peopleKey([BOB, ALICE]), messageId: ID },
      { key: peopleKey([ALICE]), messageId: 'ep-9007199254740991' },
      { key: peopleKey([CAROL, ALICE, BOB]), messageId: 'ep-7', threadId: 'ep-3' },
    ];
    for (const link of links) {
      const text = formatMessageLink(link, 'vscode');
      assert.ok(text.startsWith(`vscode://${EXTENSION_ID}/message?conv=`), text);
      assert.doesNotMatch(text.slice(text.indexOf('?')), /[#@,]/, 'the key is percent-encoded: no fragment, nothing to re-read');
      assert.deepEqual(linkOf(parseMessageLink(text)), link);
      assert.deepEqual(linkOf(parseMessageLink(uriParts(text))), link, 'as VS Code hands it to the URI handler');
    }
  });

  it('uses the scheme VS Code gives (Insiders, code-server) and the extension id', () => {
    const text = formatMessageLink({ key: '#general', messageId: ID }, 'vscode-insiders');
    assert.equal(text, `vscode-insiders://team-messenger.team-messenger/message?conv=%23general&id=${ID}`);
    assert.ok(parseMessageLink(text).ok);
    assert.ok(parseMessageLink(`  ${text}\n`).ok, 'surrounding white space from a paste');
    assert.ok(parseMessageLink(text.replace('team-messenger.team-messenger', 'Team-Messenger.Team-Messenger')).ok, 'the host in any case');
    assert.throws(() => formatMessageLink({ key: '#general', messageId: ID }, 'not a scheme'), TypeError);
    assert.throws(() => formatMessageLink({ key: 'general', messageId: ID }, 'vscode'), TypeError);
    assert.throws(() => formatMessageLink({ key: '#general', messageId: 'local:1' }, 'vscode'), TypeError);
  });

  it('refuses another host, another path, and text that is no link', () => {
    const good = formatMessageLink({ key: '#general', messageId: ID }, 'vscode');
    assert.match(problem(parseMessageLink(good.replace(EXTENSION_ID, 'evil.team-messenger'))), /not a Team Messenger link/);
    assert.match(problem(parseMessageLink(good.replace(EXTENSION_ID, `${EXTENSION_ID}:80`))), /not a Team Messenger link/);
    assert.match(problem(parseMessageLink(good.replace(EXTENSION_ID, `user@${EXTENSION_ID}`))), /not a Team Messenger link/);
    assert.match(problem(parseMessageLink(good.replace('/message', '/join'))), /does not point to a message/);
    assert.match(problem(parseMessageLink(good.replace('/message', '/message/'))), /does not point to a message/);
    assert.match(problem(parseMessageLink(good.replace('/message', '/Message'))), /does not point to a message/);
    assert.match(problem(parseMessageLink({ authority: EXTENSION_ID, path: '/join', query: `conv=#general&id=${ID}` })), /does not point to a message/);
    for (const text of [
      '',
      'hello',
      '#general ep-1',
      `${EXTENSION_ID}/message?conv=%23general&id=${ID}`,
      `${good}#frag`,
      `1vscode://${EXTENSION_ID}/message`,
    ]) {
      assert.equal(parseMessageLink(text).ok, false, text);
    }
  });

  it('refuses missing, empty, repeated and unknown parameters', () => {
    const base = `vscode://${EXTENSION_ID}/message`;
    assert.match(problem(parseMessageLink(`${base}?id=${ID}`)), /names no conversation/);
    assert.match(problem(parseMessageLink(`${base}?conv=&id=${ID}`)), /names no conversation/);
    assert.match(problem(parseMessageLink(`${base}?conv=%23general`)), /names no message/);
    assert.match(problem(parseMessageLink(`${base}?conv=%23general&id=`)), /names no message/);
    assert.match(problem(parseMessageLink(base)), /names no conversation/);
    assert.match(problem(parseMessageLink(`${base}?conv=%23general&id=${ID}&id=ep-2`)), /"id" twice/);
    assert.match(problem(parseMessageLink(`${base}?conv=%23general&conv=%23other&id=${ID}`)), /"conv" twice/);
    assert.match(problem(parseMessageLink(`${base}?conv=%23general&id=${ID}&run=command`)), /does not know \("run"\)/);
  });

  it('refuses oversized links and parameters', () => {
    const base = `vscode://${EXTENSION_ID}/message`;
    assert.match(problem(parseMessageLink(`${base}?conv=%23general&id=${ID}&x=${'a'.repeat(MAX_MESSAGE_LINK_CHARS)}`)), /too long/);
    assert.match(
      problem(parseMessageLink({ authority: EXTENSION_ID, path: '/message', query: `conv=#general&id=${'1'.repeat(MAX_MESSAGE_LINK_CHARS)}` })),
      /too long/,
    );
    assert.match(problem(parseMessageLink(`${base}?conv=%23${'a'.repeat(33)}&id=${ID}`)), /conversation is not one/);
    assert.match(problem(parseMessageLink(`${base}?conv=%23general&id=${'e'.repeat(65)}-1`)), /message is not one/);
    // The biggest group there is still fits in a link.
    const ids = Array.from({ length: 257 }, (_, i) => `${String(i).padStart(3, '0')}${'z'.repeat(61)}`);
    const biggest = { key: peopleKey(ids), messageId: `${'e'.repeat(64)}-9007199254740991`, threadId: `${'e'.repeat(64)}-9007199254740990` };
    assert.deepEqual(linkOf(parseMessageLink(formatMessageLink(biggest, 'vscode'))), biggest);
    assert.equal(isConversationKey(peopleKey([...ids, `999${'z'.repeat(61)}`])), false, 'one person more than a group may have');
  });

  it('refuses message ids that are not <epoch>-<seq>', () => {
    for (const id of [
      'ep-0',
      'ep-01',
      'ep-',
      '-1',
      'ep-1.5',
      'ep-1e3',
      'ep-9007199254740993',
      'local:abc',
      'ep 1',
      'ep-1 ',
      'é-1',
      'ep-12345678901234567',
      'ep-+1',
    ]) {
      assert.equal(isRelayMessageId(id), false, id);
      assert.equal(parseMessageLink(`vscode://${EXTENSION_ID}/message?conv=%23general&id=${encodeURIComponent(id)}`).ok, false, id);
    }
    for (const id of ['ep-1', 'a-b-c-42', ID, `${'_'.repeat(64)}-1`]) assert.equal(isRelayMessageId(id), true, id);
    const reply = `vscode://${EXTENSION_ID}/message?conv=%23general&id=ep-5`;
    assert.match(problem(parseMessageLink(`${reply}&thread=local:1`)), /thread is not one/);
    assert.match(problem(parseMessageLink(`${reply}&thread=ep-5`)), /its own thread/);
    assert.match(problem(parseMessageLink(`${reply}&thread=`)), /thread is not one/);
  });

  it('refuses keys that are not well-formed', () => {
    const bad = [
      'general',
      '#',
      '@',
      '#gen eral',
      '#gen/eral',
      '#general,x',
      `@${BOB},${ALICE}`, // unsorted
      `@${ALICE},${ALICE}`, // twice
      `@${ALICE},`,
      `@,${ALICE}`,
      `@${ALICE};${BOB}`,
      `@short`,
      `@${'a'.repeat(65)}`,
      `#${'a'.repeat(33)}`,
      `@${ALICE} `,
      `${ALICE}`,
    ];
    for (const key of bad) {
      assert.equal(isConversationKey(key), false, key);
      assert.match(problem(parseMessageLink(`vscode://${EXTENSION_ID}/message?conv=${encodeURIComponent(key)}&id=${ID}`)), /conversation is not one/, key);
    }
    for (const key of ['#general', '#a', `@${ALICE}`, peopleKey([ALICE, BOB, CAROL])]) assert.equal(isConversationKey(key), true, key);
  });
});
