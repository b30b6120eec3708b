import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { relayNodeFlags } from '../../../src/server/io/runtimeFlags';
import { CliFixture, runCli } from '../helpers/cliProcess';

/** The `team-messenger` command as people and build bots use it: real child processes, real sockets. */
describe('CLI: relay, listen and send as child processes', function () {
  this.timeout(30_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  describe('on one CPU the relay starts itself again with its collector on the event loop thread and one V8 helper', () => {
    const hasTaskset = (() => {
      try {
        execFileSync('taskset', ['-c', '0', 'true']);
        return true;
      } catch {
        return false;
      }
    })();
    const GC_LINE = 'one CPU to run on: garbage collection runs on the event loop thread, and V8 keeps one helper thread';
    /** The command line of the relay the command started again (its one child). */
    const restartedCommandLine = (parentPid: number): string[] => {
      const children = fs.readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, 'utf8').trim().split(/\s+/);
      assert.equal(children.length, 1, `children of the relay command: ${children.join(' ')}`);
      return fs.readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0');
    };
    const refused = (port: number) =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });

    it('asks for the collector on the loop and one V8 helper with one CPU, and for nothing with more', () => {
      assert.deepEqual(relayNodeFlags(1), ['--single-threaded-gc', '--v8-pool-size=1', '--max-semi-space-size=32']);
      assert.deepEqual(relayNodeFlags(2), []);
      assert.deepEqual(relayNodeFlags(64), []);
    });

    it('relays messages, and SIGTERM stops it gracefully with exit 0', async function () {
      if (!hasTaskset) this.skip();
      const env = fx.env();
      const relay = await fx.relay(['--port', '0', '--secret', 'team-secret'], env, ['taskset', '-c', '0']);
      assert.ok(relay.process.stderr.includes(GC_LINE), relay.process.stderr);
      const args = restartedCommandLine(relay.process.child.pid!);
      for (const flag of relayNodeFlags(1)) assert.ok(args.includes(flag), `${flag} missing from ${args.join(' ')}`);
      const common = ['--server', `127.0.0.1:${relay.port}`, '--secret', 'team-secret'];
      const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
      await bob.waitForEvent('connected');
      const sent = await runCli(['send', ...common, '--name', 'ci-bot', '--to', 'bob', 'on one CPU'], env);
      assert.equal(sent.code, 0, sent.stderr);
      assert.equal((await bob.waitForEvent('message')).text, 'on one CPU');
      assert.equal(await relay.process.stop('SIGTERM'), 0);
      assert.match(relay.process.stderr, /relay stopped/);
      assert.ok(await refused(relay.port), 'nothing listens any more');
    });

    it('stops by itself when the process that started it is killed', async function () {
      if (!hasTaskset) this.skip();
      const relay = await fx.relay(['--port', '0', '--secret', 'team-secret'], fx.env(), ['taskset', '-c', '0']);
      await relay.process.stop('SIGKILL');
      const deadline = Date.now() + 10_000;
      while (!(await refused(relay.port))) {
        assert.ok(Date.now() < deadline, 'the relay is still listening 10 s after its parent was killed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
  });

  it('delivers a direct message from send to listen and exits 0 after the ack', async () => {
    const { env, common } = await fx.team();
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await bob.waitForEvent('connected');
    const sent = await runCli(['send', ...common, '--name', 'ci-bot', '--to', 'bob', '--json', 'build #42 is green'], env);
    assert.equal(sent.code, 0, sent.stderr);
    const ack = JSON.parse(sent.stdout);
    assert.equal(ack.type, 'ack');
    assert.deepEqual(ack.online, ['bob']);
    const message = await bob.waitForEvent('message');
    assert.equal(message.from, 'ci-bot');
    assert.deepEqual(message.to, ['bob']);
    assert.equal(message.text, 'build #42 is green');
    assert.equal(message.id, ack.id);
    assert.equal(typeof message.ts, 'number');
    const joined = await bob.waitForEvent('peer-joined', (e) => e.name === 'ci-bot');
    assert.equal(typeof joined.clientId, 'string');
    await bob.waitForEvent('peer-left', (e) => e.name === 'ci-bot');
  });

  it('broadcasts with --all and reads the text from standard input with -', async () => {
    const { env, common } = await fx.team();
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    const carol = fx.start(['listen', ...common, '--name', 'carol', '--json'], env);
    await Promise.all([bob.waitForEvent('connected'), carol.waitForEvent('connected')]);
    const sent = await runCli(['send', ...common, '--name', 'ci', '--all', '-'], env, 'line one\nline two\n');
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /delivered to 2 peers/);
    for (const listener of [bob, carol]) {
      const message = await listener.waitForEvent('message');
      assert.equal(message.to, 'all');
      assert.equal(message.text, 'line one\nline two');
    }
  });

  it('reaches several named peers with --to a,b', async () => {
    const { env, common } = await fx.team();
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    const carol = fx.start(['listen', ...common, '--name', 'carol', '--json'], env);
    const dave = fx.start(['listen', ...common, '--name', 'dave', '--json'], env);
    await Promise.all([bob, carol, dave].map((l) => l.waitForEvent('connected')));
    const sent = await runCli(['send', ...common, '--name', 'ci', '--to', 'bob,carol', 'two of you'], env);
    assert.equal(sent.code, 0, sent.stderr);
    await bob.waitForEvent('message', (e) => e.text === 'two of you');
    await carol.waitForEvent('message', (e) => e.text === 'two of you');
    // dave sees the sender come and go but never the message.
    await dave.waitForEvent('peer-left', (e) => e.name === 'ci');
    assert.equal(dave.events.filter((e) => e.type === 'message').length, 0);
  });

  it("send --to NAME reaches a peer on a big relay (watched presence) that is in nobody's roster, by asking the relay", async () => {
    const { env, common } = await fx.team({ relayArgs: ['--full-presence-limit', '1'] });
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await bob.waitForEvent('connected');
    const carol = fx.start(['listen', ...common, '--name', 'carol', '--json'], env);
    const connected = await carol.waitForEvent('connected');
    assert.equal(connected.presence, 'watched');
    assert.equal(connected.online, 2);
    assert.deepEqual(connected.peers, [], 'carol watches nobody: bob is not in her roster');
    await bob.waitForEvent('presence', (e) => e.mode === 'watched' && e.online === 2);

    const sent = await runCli(['send', ...common, '--name', 'ci-bot', '--to', 'bob', '--json', 'found on a big relay'], env);
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(JSON.parse(sent.stdout).online, ['bob'], 'the ack names bob');
    const message = await bob.waitForEvent('message');
    assert.equal(message.text, 'found on a big relay');
    const unknown = await runCli(['send', ...common, '--name', 'ci-bot', '--to', 'nobody', 'hello?'], env);
    assert.equal(unknown.code, 5);
    assert.match(unknown.stderr, /no peer called "nobody"/);
  });

  it('fails with exit 5 and a clear message for an unknown peer', async () => {
    const { env, common } = await fx.team();
    const result = await runCli(['send', ...common, '--name', 'ci', '--to', 'nobody', 'hello?'], env);
    assert.equal(result.code, 5);
    assert.match(result.stderr, /no peer called "nobody"/);
    assert.match(result.stderr, /NO_SUCH_PEER/);
  });

  it('fails with exit 4 for a wrong secret and exit 3 for an unreachable relay', async () => {
    const { env, server, relay } = await fx.team();
    const wrong = await runCli(['send', '--server', server, '--secret', 'not-it', '--name', 'ci', '--all', 'x'], env);
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /wrong team secret/);
    const none = await runCli(['send', '--server', server, '--name', 'ci', '--all', 'x'], env);
    assert.equal(none.code, 4);
    assert.match(none.stderr, /requires the team secret/);
    await relay.process.stop();
    const down = await runCli(['send', '--server', server, '--secret', 'team-secret', '--name', 'ci', '--all', 'x', '--timeout', '5000'], env);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /cannot reach the relay/);
  });

  it('rejects bad usage with exit 2 and the usage text', async () => {
    const env = fx.env();
    const cases: string[][] = [
      ['send', '--server', '127.0.0.1:1', '--name', 'x', 'no target'],
      ['send', '--server', '127.0.0.1:1', '--name', 'x', '--all', '--to', 'a', 'both'],
      ['send', '--server', 'host:99999', '--name', 'x', '--all', 'bad port'],
      ['send', '--server', '127.0.0.1:1', '--all', 'no name'],
      ['listen', '--server', '127.0.0.1:1', '--name', 'x', '--bogus'],
      ['relay', '--port', 'abc'],
      ['relay', '--no-auth', '--secret', 's'],
      ['frobnicate'],
    ];
    for (const args of cases) {
      const result = await runCli(args, env);
      assert.equal(result.code, 2, `${args.join(' ')} → ${result.code}\n${result.stderr}`);
      assert.match(result.stderr, /Usage:/, args.join(' '));
    }
  });

  it('announces joins and leaves to listeners', async () => {
    const { env, common } = await fx.team();
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await bob.waitForEvent('connected');
    const carol = fx.start(['listen', ...common, '--name', 'carol', '--json'], env);
    const connected = await carol.waitForEvent('connected');
    assert.deepEqual(connected.peers, ['bob']);
    await bob.waitForEvent('peer-joined', (e) => e.name === 'carol');
    assert.equal(await carol.stop('SIGTERM'), 0);
    const left = await bob.waitForEvent('peer-left', (e) => e.name === 'carol');
    assert.equal(left.reason, 'left');
  });

  it('generates and keeps a team secret when the relay is started without one', async () => {
    const env = fx.env();
    const relay = await fx.relay(['--port', '0'], env);
    const secretFile = path.join(env.TEAM_MESSENGER_HOME!, 'relay-secret');
    const secret = fs.readFileSync(secretFile, 'utf8').trim();
    assert.ok(secret.length >= 20);
    assert.ok(relay.process.stderr.includes(secret), 'the generated secret is shown to the operator once');
    assert.equal((fs.statSync(secretFile).mode & 0o777).toString(8), '600');
    const server = `127.0.0.1:${relay.port}`;
    const ok = await runCli(['send', '--server', server, '--name', 'ci', '--all', 'hi'], { ...env, TEAM_MESSENGER_SECRET: secret });
    assert.equal(ok.code, 0, ok.stderr);
    await relay.process.stop();
    // A second start reuses the stored secret instead of making a new one.
    const again = await fx.relay(['--port', '0'], env);
    assert.equal(fs.readFileSync(secretFile, 'utf8').trim(), secret);
    assert.ok(!again.process.stderr.includes(secret), 'a reused secret is not printed again');
  });

  it('stops the relay gracefully on SIGTERM and tells listeners why', async () => {
    const { env, common, relay } = await fx.team();
    const bob = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await bob.waitForEvent('connected');
    assert.equal(await relay.process.stop('SIGTERM'), 0);
    const gone = await bob.waitForEvent('disconnected');
    assert.equal(gone.code, 'SERVER_SHUTDOWN');
  });

  it('a restarted listener receives what was said while it was down (relay with history)', async () => {
    const env = fx.env();
    const historyDir = fx.tempDir();
    const relay = await fx.relay(['--port', '0', '--secret', 's', '--history-dir', historyDir], env);
    const common = ['--server', `127.0.0.1:${relay.port}`, '--secret', 's'];
    const first = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    await first.waitForEvent('connected');
    assert.equal((await runCli(['send', ...common, '--name', 'ci', '--to', 'bob', 'one'], env)).code, 0);
    await first.waitForEvent('message', (e) => e.text === 'one');
    await first.stop('SIGTERM');
    const offline = await runCli(['send', ...common, '--name', 'ci', '--to', 'bob', '--json', 'two'], env);
    assert.equal(offline.code, 0, offline.stderr);
    assert.deepEqual(JSON.parse(offline.stdout).offline, ['bob']);
    // Restart the relay too: the message must survive it on disk.
    await relay.process.stop('SIGTERM');
    const restarted = await fx.relay(['--port', String(relay.port), '--secret', 's', '--history-dir', historyDir], env);
    assert.equal(restarted.port, relay.port);
    const second = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    const replayed = await second.waitForEvent('message');
    assert.equal(replayed.text, 'two');
    assert.equal(replayed.replay, true);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      second.events.filter((e) => e.type === 'message').map((e) => e.text),
      ['two'],
      'what bob already saw is not replayed',
    );
  });

  it('shows hostile text inertly: JSON-escaped with --json, escapes made visible on a terminal', async () => {
    const { env, common } = await fx.team();
    const json = fx.start(['listen', ...common, '--name', 'bob', '--json'], env);
    const human = fx.start(['listen', ...common, '--name', 'carol'], env);
    await json.waitForEvent('connected');
    await human.waitFor('carol to connect', () => human.stdout.includes('connected to'));
    const hostile = 'pwn \u001b]0;owned\u0007\u001b[2J<script>alert(1)</script>\rfake';
    assert.equal((await runCli(['send', ...common, '--name', 'ci', '--all', hostile], env)).code, 0);
    const message = await json.waitForEvent('message');
    assert.equal(message.text, hostile, 'JSON output carries the exact text');
    assert.ok(!json.stdout.includes('\u001b'), 'no raw escape byte on stdout');
    const line = await human.waitFor('the message line', () => human.stdout.split('\n').find((l) => l.includes('ci →')));
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(line), `terminal line has no control characters: ${JSON.stringify(line)}`);
    assert.match(line, /\\u001b\]0;owned\\u0007/);
    assert.match(line, /<script>alert\(1\)<\/script>\\u000dfake/);
  });
});
