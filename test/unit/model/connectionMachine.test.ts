import { strict as assert } from 'node:assert';
import { ConnectionFailure } from '../../../src/model/connectionFailure';
import { ConnectionMachine, isSuperseded, MachineOptions } from '../../../src/model/connectionMachine';
import { parseHostPort } from '../../../src/net/address';
import { generateIdentity } from '../../../src/net/identity';
import { Relay } from '../../../src/server/relay';
import { createClient, freePort, SECRET, startRelay, TestClient, useCleanup, withTimeout } from '../helpers/loopback';
import { until } from '../helpers/security';

interface Options extends MachineOptions {
  saveServer?: boolean;
  secret?: string;
}

/**
 * The one-connection state machine over real loopback relays and real clients: what the
 * ConnectionManager does in VS Code, with the settings, the notification and the client factory
 * as recording fakes.
 */
describe('ConnectionMachine: one connection per window', function () {
  const cleanup = useCleanup();
  const identity = generateIdentity();

  function setup(setting = '') {
    const settings = { server: setting };
    const created: TestClient[] = [];
    const timeline: string[] = [];
    const notified: { failure: ConnectionFailure; retrying: boolean }[] = [];
    const machine = new ConnectionMachine<Options, TestClient>({
      create: async (target, options) => {
        // The old client is gone (its close awaited) before a new one exists, let alone dials.
        const alive = created.filter((c) => c.state !== 'closed');
        timeline.push(`create ${target} (${alive.length} alive)`);
        const { host, port } = parseHostPort(target, 9999);
        const client = createClient(cleanup, port, {
          name: 'alice',
          identity,
          host,
          backoff: { initialMs: 20, maxMs: 100 },
          ...(options.failFast ? { retryFirstConnect: false } : {}),
          ...('secret' in options ? { secret: options.secret } : {}),
        });
        created.push(client);
        return client;
      },
      adopt: (_client, target) => void timeline.push(`adopt ${target}`),
      accepted: async (_client, target, options) => {
        timeline.push(`accepted ${target}`);
        if (options.saveServer) settings.server = target;
      },
      released: (_client, target) => void timeline.push(`released ${target}`),
      notify: (failure, retrying) => void notified.push({ failure, retrying }),
    });
    cleanup.add('machine', () => machine.dispose());
    return { machine, settings, created, timeline, notified };
  }

  /** Sessions of alice's identity that the relay has let in. */
  const sessionsAt = (relay: Relay) => relay.clientCount;
  const at = (relay: Relay) => `127.0.0.1:${relay.address().port}`;

  it('Connect… while connected, with the settings listener asking at the same time: one session, the old client closed first', async function () {
    const first = await startRelay(cleanup);
    const second = await startRelay(cleanup);
    const { machine, settings, created, timeline } = setup(at(first));
    await withTimeout(machine.connect(at(first), {}), 'the first connection');
    assert.equal(sessionsAt(first), 1);

    // The command connects; the setting it writes once connected reaches the listener, which
    // must not connect a second time. Here the listener even runs while the command dials.
    const command = machine.connect(at(second), { saveServer: true, interactive: true });
    assert.equal(machine.settingsChanged(at(second), false, {}), undefined, 'the relay already wanted is not connected again');
    await withTimeout(command, 'the command to connect');
    assert.equal(machine.settingsChanged(settings.server, false, {}), undefined);

    assert.equal(settings.server, at(second));
    assert.equal(created.length, 2);
    assert.equal(created[0].state, 'closed');
    assert.equal(machine.client, created[1]);
    await until(() => sessionsAt(first) === 0, 'the first relay to let the old session go');
    assert.equal(sessionsAt(second), 1);
    assert.deepEqual(timeline, [
      `create ${at(first)} (0 alive)`,
      `adopt ${at(first)}`,
      `accepted ${at(first)}`,
      `released ${at(first)}`,
      `create ${at(second)} (0 alive)`,
      `adopt ${at(second)}`,
      `accepted ${at(second)}`,
    ]);
  });

  it('requests racing each other: the newest wins, the others end as Superseded, never two clients alive', async function () {
    const relays = [await startRelay(cleanup), await startRelay(cleanup), await startRelay(cleanup)];
    const { machine, created, timeline } = setup();
    await withTimeout(machine.connect(at(relays[0]), {}), 'the first connection');
    const outcomes = await Promise.allSettled([
      machine.connect(at(relays[1]), { interactive: true }),
      machine.settingsChanged(at(relays[2]), false, {}) ?? Promise.resolve(),
      machine.settingsChanged(at(relays[2]), true, {}) ?? Promise.resolve(),
    ]);
    // The display name changed too: one more fresh client to the same relay supersedes the one before.
    const superseded = outcomes.map((o) => (o.status === 'rejected' ? (isSuperseded(o.reason) ? 'superseded' : String(o.reason)) : 'connected'));
    assert.deepEqual(superseded, ['superseded', 'superseded', 'connected']);
    assert.equal(machine.target, at(relays[2]));
    assert.ok(
      timeline.filter((t) => t.startsWith('create')).every((t) => t.endsWith('(0 alive)')),
      timeline.join('\n'),
    );
    await until(() => created.filter((c) => c.state !== 'closed').length === 1 && created.at(-1)?.state === 'connected', 'one client connected');
    await until(() => sessionsAt(relays[0]) + sessionsAt(relays[1]) === 0 && sessionsAt(relays[2]) === 1, 'one session in all');
  });

  it('a switch to an address nothing listens on keeps the working setting, says why once, and retries quietly', async function () {
    const relay = await startRelay(cleanup);
    const { machine, settings, created, notified } = setup(at(relay));
    await withTimeout(machine.connect(at(relay), { saveServer: true }), 'the working relay');
    const closed = `127.0.0.1:${await freePort()}`;

    const typo = machine.connect(closed, { saveServer: true, interactive: true });
    typo.catch(() => undefined);
    await until(() => machine.failure, 'the failure to be known');
    assert.equal(machine.failure?.text, `Cannot reach ${closed} — connection refused (nothing listens on that port)`);
    assert.equal(machine.failure?.summary, `can't reach ${closed}`);
    // Several retries later (20-100 ms apart): still one notification, still the working setting.
    await until(() => created[1].events.disconnected.length >= 4, 'a few retries');
    assert.equal(created[1].state, 'reconnecting');
    assert.equal(notified.length, 1);
    assert.equal(notified[0].retrying, true);
    assert.equal(notified[0].failure.server, closed);
    assert.equal(settings.server, at(relay), 'the working address stays in the setting');
    await until(() => sessionsAt(relay) === 0, 'the old session to end: one connection per window');

    // Another target is news again; an unknown host says so.
    const unknown = machine.connect('no-such-host.invalid:9999', { interactive: true });
    unknown.catch(() => undefined);
    await assert.rejects(typo, isSuperseded);
    await until(() => notified.length === 2 && notified[1], 'the second target to be told');
    assert.match(notified[1].failure.text, /^Cannot reach no-such-host\.invalid:9999 — host not found/);

    // Disconnect: nothing more is wanted, and the views say where the user left.
    await machine.disconnect(true);
    await assert.rejects(unknown, isSuperseded);
    assert.equal(machine.failure, undefined);
    assert.equal(machine.disconnectedFrom, 'no-such-host.invalid:9999');
    assert.equal(machine.settingsChanged('elsewhere:1', true, {}), undefined, 'a settings change does not connect after Disconnect');
    assert.equal(settings.server, at(relay));
  });

  it('Retry tries the same relay with a fresh client and may say why again; the setting follows once it connects', async function () {
    const port = await freePort();
    const target = `127.0.0.1:${port}`;
    const { machine, settings, created, notified } = setup('working:9999');
    const waiting = machine.connect(target, { saveServer: true, interactive: true });
    waiting.catch(() => undefined);
    await until(() => notified.length === 1, 'the first notification');
    const retried = machine.retry();
    assert.ok(retried);
    retried.catch(() => undefined);
    await assert.rejects(waiting, isSuperseded);
    await until(() => notified.length === 2, 'Retry asked for it: a failure is news again');
    assert.equal(created[0].state, 'closed');

    // The relay comes up on that port: the retrying client gets in, and only now is the setting changed.
    const relay = await startRelay(cleanup, { port });
    await withTimeout(retried, 'the retried connection');
    assert.equal(settings.server, target);
    assert.equal(machine.failure, undefined);
    assert.equal(sessionsAt(relay), 1);
  });

  it('a connection that worked and dropped is retried quietly; the reason is still there to see', async function () {
    const relay = await startRelay(cleanup);
    const { machine, notified } = setup();
    await withTimeout(machine.connect(at(relay), {}), 'connected');
    await relay.stop('maintenance');
    await until(() => machine.failure?.code === 'UNREACHABLE', 'the relay to be unreachable');
    assert.match(machine.failure!.text, /connection refused/);
    assert.deepEqual(notified, []);
  });

  it('a refusal the command answers is not told twice; one nobody awaits (start-up) is told once', async function () {
    const relay = await startRelay(cleanup);
    const { machine, notified } = setup();
    await assert.rejects(machine.connect(at(relay), { interactive: true, secret: 'wrong' }), /team secret|secret/i);
    assert.equal(machine.failure?.code, 'AUTH_FAILED');
    assert.match(machine.failure!.text, new RegExp(`^The relay at ${at(relay)} refused to let you in — `));
    assert.equal(notified.length, 0);

    await assert.rejects(machine.connect(at(relay), { secret: 'still wrong' }), /secret/i);
    assert.equal(notified.length, 1);
    assert.equal(notified[0].retrying, false);
    await withTimeout(machine.connect(at(relay), { secret: SECRET }), 'the right secret');
    assert.equal(machine.failure, undefined);
  });

  it('failFast (joining) rejects at once with the reason, and leaves the telling to the join', async function () {
    const { machine, notified } = setup();
    const target = `127.0.0.1:${await freePort()}`;
    await assert.rejects(machine.connect(target, { failFast: true }), { code: 'UNREACHABLE' });
    assert.match(machine.failure!.text, /connection refused/);
    assert.deepEqual(notified, []);
  });

  it('a bad address is a failure too, before any client exists', async function () {
    const { machine, notified, created } = setup();
    await assert.rejects(machine.connect('127.0.0.1:notaport', {}));
    assert.equal(created.length, 0);
    assert.equal(machine.failure?.server, '127.0.0.1:notaport');
    assert.equal(notified.length, 1);
  });
});
