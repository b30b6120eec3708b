import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliFixture, jsonLines, runCli } from '../helpers/cliProcess';

/** `channels`, `send --channel`, `listen --channel`, `history` and `search` as child processes against a real relay. */
describe('CLI: channels, threads, history and search', function () {
  this.timeout(60_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  it('creates, lists, joins and leaves channels, in JSON and in words', async () => {
    const { as } = await fx.team();
    const made = await as('alice', ['channels', 'create', '#Deploys', '--topic', 'ship it', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const [created] = jsonLines(made.stdout);
    assert.deepEqual(
      { ...created, id: undefined },
      { type: 'channel', id: undefined, name: 'deploys', topic: 'ship it', private: false, archived: false, member: true, memberCount: 1, members: ['alice'] },
    );
    const secret = await as('alice', ['channels', 'create', 'secret', '--private']);
    assert.equal(secret.code, 0, secret.stderr);
    assert.match(secret.stdout, /^created #secret {2}private, 1 member, joined\n$/);

    const listed = await as('bob', ['channels', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      jsonLines(listed.stdout).map((c) => [c.name, c.member]),
      [
        ['general', true],
        ['deploys', false],
      ],
      "#general first; bob is not told of alice's private channel",
    );
    const joined = await as('bob', ['channels', 'join', 'deploys']);
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(joined.stdout, 'joined #deploys  2 members, joined — ship it\n');
    const inWords = await as('bob', ['channels', 'list']);
    assert.equal(inWords.stdout, '#general  everyone\n#deploys  2 members, joined — ship it\n');
    const left = await as('bob', ['channels', 'leave', '#deploys', '--json']);
    assert.equal(left.code, 0, left.stderr);
    assert.deepEqual(
      jsonLines(left.stdout).map((c) => [c.name, c.member, c.memberCount]),
      [['deploys', false, 1]],
    );
  });

  it('send --channel reaches listen --channel, which shows that channel only, replies in threads and the parents they change', async () => {
    const { env, common, as } = await fx.team();
    assert.equal((await as('alice', ['channels', 'create', 'deploys'])).code, 0);
    assert.equal((await as('bob', ['channels', 'join', 'deploys'])).code, 0);
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json', '--channel', 'deploys'], env);
    await bob.waitForEvent('connected');

    const sent = await as('alice', ['send', '--channel', '#deploys', '--json', 'v1.2 is out']);
    assert.equal(sent.code, 0, sent.stderr);
    const ack = JSON.parse(sent.stdout) as { id: string };
    assert.equal((await as('alice', ['send', '--all', 'lunch?'])).code, 0);
    const message = await bob.waitForEvent('message', (e) => e.text === 'v1.2 is out');
    assert.deepEqual([message.from, message.to, message.id], ['alice', '#deploys', ack.id]);
    assert.match(String(message.conv), /^#/);

    const reply = await as('alice', ['send', '--channel', 'deploys', '--thread', ack.id, 'rolled out to 10%']);
    assert.equal(reply.code, 0, reply.stderr);
    const inThread = await bob.waitForEvent('message', (e) => e.text === 'rolled out to 10%');
    assert.equal(inThread.thread, ack.id);
    const parent = await bob.waitForEvent('update', (e) => e.id === ack.id);
    assert.deepEqual(parent.replies, { count: 1, lastTs: (parent.replies as { lastTs: number }).lastTs, by: ['alice'] });
    assert.equal(parent.text, 'v1.2 is out');
    assert.equal(typeof parent.updateSeq, 'number');

    assert.equal((await as('alice', ['send', '--channel', 'deploys', 'last'])).code, 0);
    await bob.waitForEvent('message', (e) => e.text === 'last');
    assert.deepEqual(
      bob.events.filter((e) => e.type === 'message').map((e) => e.text),
      ['v1.2 is out', 'rolled out to 10%', 'last'],
      'nothing from #general',
    );
  });

  it('takes message ids and a secret that start with a dash as option values (an older relay made such ids)', async () => {
    const env = fx.env();
    const historyDir = fx.tempDir();
    fs.writeFileSync(path.join(historyDir, 'relay-state.json'), JSON.stringify({ epoch: '-older', seq: 0 }));
    const relay = await fx.relay(['--port', '0', '--secret', '-dash-secret', '--history-dir', historyDir], env);
    const common = ['--server', `127.0.0.1:${relay.port}`, '--secret', '-dash-secret'];
    const as = (name: string, args: string[]) => runCli([args[0], ...common, '--name', name, ...args.slice(1)], env);

    const sent = await as('alice', ['send', '--all', '--json', 'first']);
    assert.equal(sent.code, 0, sent.stderr);
    const { id } = JSON.parse(sent.stdout) as { id: string };
    assert.match(id, /^-older-/);
    const reply = await as('alice', ['send', '--all', '--thread', id, 'in its thread']);
    assert.equal(reply.code, 0, reply.stderr);
    const thread = await as('bob', ['history', '--channel', 'general', '--thread', id, '--json']);
    assert.equal(thread.code, 0, thread.stderr);
    assert.deepEqual(
      jsonLines(thread.stdout).map((m) => [m.type, m.text, m.thread]),
      [
        ['message', 'in its thread', id],
        ['history', undefined, undefined],
      ],
    );
  });

  it('history pages back through a channel or a direct conversation; search finds what the asker may read', async () => {
    const { as } = await fx.team();
    assert.equal((await as('alice', ['channels', 'create', 'deploys'])).code, 0);
    assert.equal((await as('carol', ['channels'])).code, 0, 'carol is known to the relay');
    for (const text of ['build 1 green', 'build 2 red', 'build 3 green']) assert.equal((await as('alice', ['send', '--channel', 'deploys', text])).code, 0);
    assert.equal((await as('alice', ['send', '--to', 'carol', 'psst, build 3 is green'])).code, 0);

    const newest = await as('alice', ['history', '--channel', 'deploys', '--limit', '2', '--json']);
    assert.equal(newest.code, 0, newest.stderr);
    const lines = jsonLines(newest.stdout);
    assert.deepEqual(
      lines.map((l) => l.type),
      ['message', 'message', 'history'],
    );
    assert.deepEqual(
      lines.slice(0, 2).map((l) => l.text),
      ['build 2 red', 'build 3 green'],
    );
    const summary = lines[2];
    assert.deepEqual([summary.in, summary.count, summary.older, summary.before], ['#deploys', 2, true, lines[0].seq]);
    const older = await as('alice', ['history', '--channel', 'deploys', '--before', String(summary.before)]);
    assert.equal(older.code, 0, older.stderr);
    assert.match(older.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d alice: build 1 green {2}\[id \S+\]\n$/);
    const direct = await as('carol', ['history', '--to', 'alice', '--json']);
    assert.deepEqual(
      jsonLines(direct.stdout).map((l) => l.text ?? l.in),
      ['psst, build 3 is green', 'alice'],
    );

    const found = await as('alice', ['search', 'green', '--json']);
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(
      jsonLines(found.stdout).map((l) => (l.type === 'hit' ? `${String(l.in)}: ${String(l.text)}` : l.type)),
      ['carol: psst, build 3 is green', '#deploys: build 3 green', '#deploys: build 1 green', 'search'],
    );
    const carolFinds = await as('carol', ['search', 'green', '--json']);
    assert.deepEqual(
      jsonLines(carolFinds.stdout).map((l) => l.in ?? l.count),
      ['alice', 1],
      'nothing from #deploys, which carol is not in',
    );
    const nothing = await as('carol', ['search', 'nothing-like-this']);
    assert.equal(nothing.stdout, 'nothing found\n');
  });

  it('says what is wrong with a documented exit code: 5 no such channel, 7 not allowed, 2 bad usage', async () => {
    const { env, common, as } = await fx.team();
    assert.equal((await as('alice', ['channels', 'create', 'deploys'])).code, 0);
    assert.equal((await as('alice', ['channels', 'create', 'secret', '--private'])).code, 0);
    const cases: [string, string[], number, RegExp][] = [
      ['bob', ['channels', 'create', 'deploys'], 7, /CONFLICT/],
      ['bob', ['channels', 'join', 'secret'], 5, /no channel called #secret/],
      ['bob', ['channels', 'leave', 'general'], 7, /CONFLICT/],
      ['bob', ['send', '--channel', 'nowhere', 'hi'], 5, /no channel called #nowhere.*NOT_FOUND/],
      ['bob', ['send', '--channel', 'deploys', 'hi'], 7, /you are not in #deploys: join it first \(team-messenger channels join deploys\)/],
      ['bob', ['history', '--channel', 'deploys'], 7, /join it first/],
      ['bob', ['channels', 'create', 'Bad Name'], 2, /lowercase letters.*\n\nUsage:/s],
      ['bob', ['channels', 'rename', 'x'], 2, /Usage:/],
      ['bob', ['channels', 'join', 'deploys', '--private'], 2, /--private and --topic go with channels create/],
      ['bob', ['history', '--limit', '5'], 2, /--channel NAME or --to NAME/],
      ['bob', ['history', '--channel', 'deploys', '--limit', '501'], 2, /--limit is at most 500/],
      ['bob', ['send', '--channel', 'deploys', '--all', 'hi'], 2, /give one of --to, --all and --channel/],
      ['bob', ['search'], 2, /say what to search for/],
    ];
    for (const [name, args, code, said] of cases) {
      const result = await as(name, args);
      assert.equal(result.code, code, `${args.join(' ')} → ${result.code}\n${result.stderr}`);
      assert.match(result.stderr, said, args.join(' '));
    }
    const listener = fx.start(['listen', ...common, '--name', 'bob', '--channel', 'nowhere'], env);
    assert.equal(await listener.exited, 5);
    assert.match(listener.stderr, /no channel called #nowhere/);
  });
});
