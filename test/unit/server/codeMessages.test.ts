import { strict as assert } from 'node:assert';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { ErrorCode } from '../../../src/net/protocol/errors';
import type { CodeRef } from '../../../src/net/protocol/messages';
import type { PatchRef, ProblemRef, TextLink } from '../../../src/net/protocol/codeMessages';
import { useCleanup } from '../helpers/loopback';
import { bobAfterRestart, startTeam, startTeamBobAway, TeamPeer } from '../helpers/teamPeer';

/**
 * Issue 28 on the relay, over loopback and the wire protocol only: a code link's repository,
 * commit and hash, a patch, and a terminal or problem block stay with a stored message wherever
 * it goes (live, the sender's other connection, replay, pages, search hits, edits, a restart),
 * and a malformed one is refused with the reason.
 */

const PATCH_TEXT = ['diff --git a/src/app.ts b/src/app.ts', '--- a/src/app.ts', '+++ b/src/app.ts', '@@ -1,2 +1,2 @@', ' one', '-two', '+zwei', ''].join('\n');
const PATCH: PatchRef = {
  text: PATCH_TEXT,
  files: [{ path: 'src/app.ts', change: 'modified', added: 1, removed: 1 }],
  repositories: ['github.com/team/app'],
  commit: 'a'.repeat(40),
};
const CODE: CodeRef = {
  path: 'src/app.ts',
  startLine: 3,
  endLine: 9,
  language: 'typescript',
  repositories: ['github.com/team/app', 'github.com/upstream/app'],
  commit: 'b'.repeat(40),
  snippetHash: 'c'.repeat(64),
};
const PROBLEM: ProblemRef = { path: 'src/app.ts', line: 4, column: 7, severity: 'error', message: "Cannot find name 'zwei'.", source: 'ts' };
const TRACE = 'TypeError: boom\n    at run (/home/bob/app/src/app.ts:4:7)\n    at main (src/main.ts:12:3)';
const LINK: TextLink = {
  written: 'src/app.ts',
  line: 4,
  repositories: ['github.com/team/app'],
  commit: 'd'.repeat(40),
  path: 'src/app.ts',
  snippetHash: 'e'.repeat(64),
};

describe('code-aware messages on the relay (code links, patches, terminal and problem blocks)', function () {
  const cleanup = useCleanup();

  it('keeps them live, on the sender’s other connection, in replays, pages, search hits and after an edit', async function () {
    const { alice, alice2, bob, bobReturns } = await startTeamBobAway(cleanup);
    const patch = await alice.sendWith([bob.clientId], 'rename two', { patch: PATCH });
    const code = await alice.sendWith([bob.clientId], 'const two = 2;', { code: CODE });
    const trace = await alice.sendWith([bob.clientId], TRACE, { block: 'terminal' });
    const problem = await alice.sendWith([bob.clientId], 'why this?', { block: 'problem', problem: PROBLEM });
    for (const ack of [patch, code, trace, problem]) assert.equal(ack.t, 'ack', JSON.stringify(ack));
    const fields = (m: { patch?: unknown; code?: unknown; block?: unknown; problem?: unknown }) => [m.patch, m.code, m.block, m.problem];
    const expected = [
      [PATCH, undefined, undefined, undefined],
      [undefined, CODE, undefined, undefined],
      [undefined, undefined, 'terminal', undefined],
      [undefined, undefined, 'problem', PROBLEM],
    ];

    const own = [];
    for (const text of ['rename two', 'const two = 2;', TRACE, 'why this?']) own.push(await alice2.next('message', (m) => m.text === text));
    assert.deepEqual(own.map(fields), expected);

    const bob2 = await bobReturns();
    const replayed = [];
    for (const text of ['rename two', 'const two = 2;', TRACE, 'why this?']) replayed.push(await bob2.next('message', (m) => m.text === text));
    assert.deepEqual(replayed.map(fields), expected);
    assert.ok(replayed.every((m) => m.replay === true));

    const page = await bob2.must('history-result', { t: 'history', conv: peopleKey([alice.clientId, bob.clientId]), limit: 10 });
    assert.deepEqual(page.messages.slice(1).map(fields), expected);

    const edit = await alice.must('done', { t: 'edit', id: patch.t === 'ack' ? patch.id : '', text: 'rename two (better)' });
    const update = await bob2.next('update', (u) => u.seq === edit.seq);
    assert.deepEqual([update.message.text, ...fields(update.message)], ['rename two (better)', ...expected[0]!]);

    const found = await bob2.must('search-result', { t: 'search', query: 'boom', limit: 5 });
    assert.deepEqual(
      found.hits.map((h) => [h.message.text, h.message.block]),
      [[TRACE, 'terminal']],
    );
    // has:code finds excerpts, patches and blocks, not the plain message before them.
    const coded = await bob2.must('search-result', { t: 'search', query: 'has:code', limit: 10 });
    assert.deepEqual(
      coded.hits.map((h) => h.message.text),
      ['why this?', TRACE, 'const two = 2;', 'rename two (better)'],
    );
  });

  it('refuses a malformed patch, code link or problem with the reason (a protocol error), and drops them from a deleted message', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['no files', { patch: { ...PATCH, files: [] } }, /files/],
      ['too long', { patch: { ...PATCH, text: 'x'.repeat(256 * 1024 + 1) } }, /text/],
      ['bad commit', { patch: { ...PATCH, commit: 'HEAD' } }, /commit/],
      ['bad hash', { code: { ...CODE, snippetHash: 'nope' } }, /SHA-256/],
      ['bad key', { code: { ...CODE, repositories: ['github.com/a\nb'] } }, /repository/],
      ['bad block', { block: 'shell' }, /block/],
      ['bad problem', { block: 'problem', problem: { ...PROBLEM, line: 0 } }, /line/],
    ];
    for (const [what, fields, reason] of refusals) {
      const mallory = await TeamPeer.connect(cleanup, port, { name: 'mallory' });
      mallory.raw.sendJson({ t: 'send', ref: 'bad', to: 'all', text: what, ...fields });
      const answer = await mallory.raw.waitFor((m) => m.t === 'error', `refusal of ${what}`);
      assert.equal(answer.t === 'error' && answer.code, ErrorCode.BadMessage, `${what}: ${JSON.stringify(answer)}`);
      assert.match(answer.t === 'error' ? answer.message : '', reason, what);
    }
    await alice.settle();
    assert.deepEqual(
      alice.all('message').filter((m) => m.from !== alice.clientId),
      [],
      'nothing malformed was delivered',
    );

    const sent = await alice.sendWith('all', 'soon gone', { patch: PATCH });
    const id = sent.t === 'ack' ? sent.id : '';
    const deleted = await alice.must('done', { t: 'delete', id });
    const tombstone = (await bob.next('update', (u) => u.seq === deleted.seq)).message;
    assert.deepEqual([tombstone.deleted, tombstone.patch], [true, undefined]);
  });

  it('delivers the links of typed path:lines as sent, and refuses malformed ones with the reason', async function () {
    const { port, peers } = await startTeam(cleanup, ['alice', 'bob']);
    const [alice, bob] = peers;
    const outside: TextLink = { written: 'README.md', line: 1, path: 'README.md' };
    const ack = await alice.sendWith([bob.clientId], 'see src/app.ts:4 and README.md:1', { links: [LINK, outside] });
    assert.equal(ack.t, 'ack', JSON.stringify(ack));
    const received = await bob.next('message', (m) => m.text.startsWith('see src/app.ts:4'));
    assert.deepEqual(received.links, [LINK, outside]);
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['bad hash', { links: [{ ...LINK, snippetHash: 'x' }] }, /SHA-256/],
      ['bad commit', { links: [{ ...LINK, commit: 'main' }] }, /commit/],
      ['no line', { links: [{ ...LINK, line: 0 }] }, /links/],
      ['too many', { links: Array.from({ length: 21 }, () => LINK) }, /links/],
      ['empty', { links: [] }, /links/],
    ];
    for (const [what, fields, reason] of refusals) {
      const mallory = await TeamPeer.connect(cleanup, port, { name: 'mallory' });
      mallory.raw.sendJson({ t: 'send', ref: 'bad', to: 'all', text: what, ...fields });
      const answer = await mallory.raw.waitFor((m) => m.t === 'error', `refusal of ${what}`);
      assert.equal(answer.t === 'error' && answer.code, ErrorCode.BadMessage, `${what}: ${JSON.stringify(answer)}`);
      assert.match(answer.t === 'error' ? answer.message : '', reason, what);
    }
  });

  it('keeps them across a restart, edited ones included (history folder)', async function () {
    const bob2 = await bobAfterRestart(cleanup, async (alice) => {
      const patch = await alice.sendWith('all', 'the fix', { patch: PATCH });
      await alice.sendWith('all', 'const two = 2;', { code: CODE });
      await alice.sendWith('all', TRACE, { block: 'terminal' });
      await alice.sendWith('all', 'why this?', { block: 'problem', problem: PROBLEM });
      await alice.must('done', { t: 'edit', id: patch.t === 'ack' ? patch.id : '', text: 'the fix, edited' });
    });
    const page = await bob2.must('history-result', { t: 'history', conv: '#general', limit: 10 });
    assert.deepEqual(
      page.messages.map((m) => [m.text, m.patch, m.code, m.block, m.problem]),
      [
        ['the fix, edited', PATCH, undefined, undefined, undefined],
        ['const two = 2;', undefined, CODE, undefined, undefined],
        [TRACE, undefined, undefined, 'terminal', undefined],
        ['why this?', undefined, undefined, 'problem', PROBLEM],
      ],
    );
  });
});
