import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliFixture, runCli } from '../helpers/cliProcess';

/** `team-messenger relay` history retention: --history-max, --history-max-days, --history-max-mb. */
describe('CLI: relay history retention', function () {
  this.timeout(30_000);
  const fx = new CliFixture();
  afterEach(() => fx.cleanup());

  const ID = 'R'.repeat(22);
  const DAY = 24 * 3600 * 1000;

  /** A history folder whose log has messages of these ages (days) and text sizes. */
  function historyWith(messages: { days: number; chars?: number }[]): string {
    const dir = fx.tempDir();
    const now = Date.now();
    const lines = messages.map(({ days, chars }, i) =>
      JSON.stringify({
        ref: `r${i + 1}`,
        id: `ep-${i + 1}`,
        seq: i + 1,
        ts: now - days * DAY,
        from: ID,
        fromName: 'rae',
        to: 'all',
        text: 'x'.repeat(chars ?? 10),
      }),
    );
    fs.writeFileSync(path.join(dir, 'history.jsonl'), lines.map((line) => line + '\n').join(''));
    fs.writeFileSync(path.join(dir, 'relay-state.json'), JSON.stringify({ epoch: 'ep', seq: messages.length }) + '\n');
    return dir;
  }

  /** The seqs left in the log once a relay with `args` has started on `dir` (it compacts at start). */
  async function keptBy(dir: string, args: string[]): Promise<number[]> {
    const relay = await fx.relay(['--port', '0', '--secret', 's', '--history-dir', dir, ...args], fx.env());
    await relay.process.stop('SIGTERM');
    return fs
      .readFileSync(path.join(dir, 'history.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
  }

  it('keeps at most --history-max messages, none older than --history-max-days, within --history-max-mb of log', async () => {
    assert.deepEqual(await keptBy(historyWith([{ days: 0 }, { days: 0 }, { days: 0 }, { days: 0 }]), ['--history-max', '2']), [3, 4]);
    assert.deepEqual(await keptBy(historyWith([{ days: 40 }, { days: 8 }, { days: 6 }, { days: 0 }]), ['--history-max-days', '7']), [3, 4]);
    const big = 400 * 1024;
    assert.deepEqual(
      await keptBy(historyWith([{ days: 0, chars: big }, { days: 0, chars: big }, { days: 0, chars: big }, { days: 0 }]), ['--history-max-mb', '1']),
      [2, 3, 4],
    );
    assert.deepEqual(await keptBy(historyWith([{ days: 100 }, { days: 0 }]), []), [2], 'the default keeps 90 days');
  });

  it('refuses retention that is not a positive whole number, or more bytes than it can hold', async () => {
    const env = fx.env();
    for (const [flag, value, message] of [
      ['--history-max', '0', '--history-max must be a positive whole number'],
      ['--history-max-days', 'week', '--history-max-days must be a positive whole number'],
      ['--history-max-mb', '4096', '--history-max-mb is at most 4095'],
    ]) {
      const result = await runCli(['relay', '--port', '0', '--secret', 's', flag, value], env);
      assert.equal(result.code, 2, `${flag} ${value}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(message));
    }
  });
});
