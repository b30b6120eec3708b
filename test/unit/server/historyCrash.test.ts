import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, TeamMessengerError } from '../../../src/net/protocol/errors';
import type { Ack } from '../../../src/net/protocol/messages';
import { RelayProcess, SECRET, TestClient, connectClient, seededRandom, sleep, tempDir, useCleanup, withTimeout } from '../helpers/loopback';
import { until } from '../helpers/security';

const LOG = 'history.jsonl';

interface LoggedRecord {
  ref: string;
  from: string;
  text: string;
  seq: number;
}

/** The records in the history log as it is on disk (whole lines only; a torn tail is left out). */
function recordsOnDisk(dir: string): LoggedRecord[] {
  const text = fs.readFileSync(path.join(dir, LOG), 'utf8');
  const lines = text.split('\n');
  lines.pop(); // what follows the last newline: empty, or a torn write
  return lines.filter(Boolean).map((line) => JSON.parse(line) as LoggedRecord);
}

/** Senders that keep `inFlight` messages each waiting for an ack, and remember what was acked. */
class Load {
  readonly acked = new Map<string, Ack>();
  readonly failed: string[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(senders: TestClient[], inFlight: number) {
    this.loops = senders.flatMap((sender) => Array.from({ length: inFlight }, (_, lane) => this.loop(sender, lane)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await withTimeout(Promise.all(this.loops), 'every message in flight to be acked', 30_000);
  }

  private async loop(sender: TestClient, lane: number): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const text = `${sender.name} lane ${lane} #${i}`;
      try {
        this.acked.set(text, await sender.send('all', text));
      } catch (err) {
        this.failed.push(`${text}: ${(err as TeamMessengerError).code}`);
        return;
      }
    }
  }
}

describe('history log crash safety (--history-dir)', function () {
  this.timeout(120_000);
  const cleanup = useCleanup();

  it('kill -9 in a loop under load: after each restart every acknowledged message is in history exactly once', async function () {
    const dir = tempDir(cleanup);
    const options = { historyDir: dir, historyMaxEntries: 100_000, auth: { secret: SECRET } };
    let relay = await RelayProcess.start(cleanup, options);
    const port = relay.port;
    const client = (name: string) => connectClient(cleanup, port, { name, connectTimeoutMs: 5000 });
    const senders = await Promise.all(['ann', 'ben', 'cid'].map(client));
    const reader = await client('reader');
    const load = new Load(senders, 16);
    const random = seededRandom(23);
    const rounds = 6;
    const checked: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await sleep(150 + Math.floor(random() * 400));
      await relay.crash();
      relay = await RelayProcess.start(cleanup, { ...options, port });
      // What the new relay loaded is what it will ever serve: each acked message once.
      const onDisk = recordsOnDisk(dir);
      const refs = new Map<string, number>();
      for (const r of onDisk) refs.set(`${r.from} ${r.ref}`, (refs.get(`${r.from} ${r.ref}`) ?? 0) + 1);
      for (const [text, ack] of load.acked) {
        const copies = onDisk.filter((r) => r.seq === ack.seq);
        assert.equal(copies.length, 1, `round ${round}: "${text}" (acked as ${ack.id}) is in history once`);
        assert.equal(copies[0].text, text);
      }
      assert.equal(Math.max(...refs.values()), 1, `round ${round}: no message stored twice`);
      checked.push(load.acked.size);
    }
    await load.stop();
    assert.deepEqual(load.failed, [], 'every send was acked in the end (resent after each crash)');

    // The reader, connected throughout, received each acknowledged message exactly once.
    const last = [...load.acked.keys()];
    await until(() => last.every((text) => reader.received(text).length > 0) && true, 'the reader to receive every message', 30_000);
    for (const text of last) assert.equal(reader.received(text).length, 1, `the reader received "${text}" once`);
    const damaged = fs.readdirSync(dir).filter((f) => f.startsWith('history.damaged-'));
    if (process.env.TM_VERBOSE) {
      process.stderr.write(`      ${rounds} crashes, acked messages checked after each: ${checked.join(', ')}; torn tails set aside: ${damaged.length}\n`);
    }
  });

  it('a full disk: senders get NOT_STORED and nobody receives the message; what was acked survives, and after space returns it is sent', async function () {
    const dir = tempDir(cleanup);
    const options = { historyDir: dir, auth: { secret: SECRET } };
    // 48 KiB of history file: about 40 of these messages.
    const relay = await RelayProcess.start(cleanup, options, { fileSizeKiB: 48 });
    const port = relay.port;
    const alice = await connectClient(cleanup, port, { name: 'alice', connectTimeoutMs: 5000 });
    const bob = await connectClient(cleanup, port, { name: 'bob', connectTimeoutMs: 5000 });
    await alice.waitFor('peer-joined', (p) => p.clientId === bob.clientId);

    const acked: string[] = [];
    let refused: { text: string; error: TeamMessengerError } | undefined;
    for (let i = 0; i < 200 && !refused; i++) {
      const text = `note ${i} ${'x'.repeat(1000)}`;
      try {
        await withTimeout(alice.send([bob.clientId], text), `the relay to answer message ${i}`);
        acked.push(text);
      } catch (err) {
        refused = { text, error: err as TeamMessengerError };
      }
    }
    assert.ok(refused, 'the history file filled up');
    assert.ok(acked.length > 10, `messages were stored before it did (${acked.length})`);
    assert.equal(refused.error.code, ErrorCode.NotStored);
    assert.match(refused.error.message, /disk is full \(EFBIG\).*nobody received it/);

    // The relay goes on: the others keep their connections, a second try is refused as clearly.
    const again = `again ${'x'.repeat(1000)}`;
    await withTimeout(
      alice.send([bob.clientId], again).catch((err: TeamMessengerError) => err.code),
      'a second try',
    ).then((code) => assert.equal(code, ErrorCode.NotStored));
    for (const text of acked) await bob.waitForText(text);
    assert.equal(bob.received(refused.text).length + bob.received(again).length, 0, 'bob never received what was not stored');
    assert.equal(alice.state, 'connected');
    assert.equal(bob.state, 'connected');

    // On disk: each acked message once, in whole lines; nothing of the refused ones.
    const onDisk = recordsOnDisk(dir);
    assert.deepEqual(
      onDisk.map((r) => r.text),
      acked,
    );
    assert.ok(fs.readFileSync(path.join(dir, LOG)).at(-1) === 0x0a, 'the log ends with a whole line (a failed write was cut back)');

    // Space again (a relay without the limit on the same folder): acked messages are kept, the refused one goes through.
    await relay.crash();
    await RelayProcess.start(cleanup, { ...options, port });
    await withTimeout(alice.send([bob.clientId], refused.text), 'the refused message, sent again');
    await bob.waitForText(refused.text);
    assert.equal(bob.received(refused.text).length, 1);
    const after = recordsOnDisk(dir).map((r) => r.text);
    assert.deepEqual(after, [...acked, refused.text], 'history: every acked message once, then the resent one');
    for (const text of acked) assert.equal(bob.received(text).length, 1, 'nothing received twice across the restart');
  });
});
