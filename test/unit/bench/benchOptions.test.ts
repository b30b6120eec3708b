import * as assert from 'node:assert/strict';
import { BenchUsageError, OPTIONS, parseBenchArgs, USAGE } from '../../../bench/lib/options';

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseBenchArgs(argv),
    (err: unknown) => {
      assert.ok(err instanceof BenchUsageError, `not a BenchUsageError: ${String(err)}`);
      assert.equal(err.code, 'BENCH_USAGE');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('bench command line', () => {
  it('runs everything with the documented defaults when given nothing', () => {
    assert.deepEqual(parseBenchArgs([]), {
      help: false,
      only: undefined,
      systems: undefined,
      label: undefined,
      rounds: 3,
      searchMessages: 1_000_000,
      out: undefined,
      relayBundle: undefined,
      profile: false,
      profileLoadgen: false,
      pin: true,
      chatPriority: 'fifo:1',
      chatPace: 'nap',
      render: false,
    });
  });

  it('reads every option it documents', () => {
    const o = parseBenchArgs([
      '--only=w2,w4',
      '--systems=relay,pipe',
      '--label=64 KiB',
      '--rounds=5',
      '--search-messages=200000',
      '--out=/tmp/x',
      '--relay-bundle=old/sut.js',
      '--profile',
      '--profile-loadgen',
      '--no-pin',
      '--chat-priority=nice:-10',
      '--chat-pace=spin',
      '--render',
    ]);
    assert.deepEqual(o, {
      help: false,
      only: ['w2', 'w4'],
      systems: ['relay', 'pipe'],
      label: '64 KiB',
      rounds: 5,
      searchMessages: 200_000,
      out: '/tmp/x',
      relayBundle: 'old/sut.js',
      profile: true,
      profileLoadgen: true,
      pin: false,
      chatPriority: 'nice:-10',
      chatPace: 'spin',
      render: true,
    });
    assert.equal(parseBenchArgs(['--only', 'w1']).only?.[0], 'w1');
    assert.equal(parseBenchArgs(['--help']).help, true);
    assert.equal(parseBenchArgs(['-h']).help, true);
  });

  it('every option in the usage text is one it reads, and the other way round', () => {
    const documented = [...USAGE.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]).sort();
    const accepted = documented.filter((flag) => {
      const arg = ['--help', '--profile', '--profile-loadgen', '--no-pin', '--render'].includes(flag)
        ? flag
        : `${flag}=${flag === '--only' ? 'w1' : flag === '--systems' ? 'relay' : flag === '--rounds' ? '2' : flag === '--search-messages' ? '50000' : flag === '--chat-pace' ? 'spin' : flag === '--chat-priority' ? 'fifo:2' : 'x'}`;
      parseBenchArgs([arg]);
      return true;
    });
    assert.deepEqual(accepted, documented);
    assert.deepEqual(
      documented,
      Object.keys(OPTIONS)
        .map((name) => `--${name}`)
        .sort(),
    );
  });

  it('stops at an option it does not know instead of starting a full run', () => {
    usageError(['--hepl'], /Unknown option '--hepl'/);
    usageError(['--round=2'], /Unknown option '--round'/);
    usageError(['w2'], /positional|Unexpected argument/i);
  });

  it('names the bad value and what it accepts', () => {
    usageError(['--only=w11'], /--only: unknown "w11" \(known: w1, w2, w3, w4, w5, w6, w7, w8, w9, w10\)/);
    usageError(['--only=W1'], /unknown "W1"/);
    usageError(['--only=,'], /--only needs at least one/);
    usageError(['--systems=relay,kafka'], /--systems: unknown "kafka" \(known: direct, pipe, relay, mosquitto, aedes, nats\)/);
    for (const r of ['0', '-1', '1.5', 'three', '', '101']) usageError([`--rounds=${r}`], /--rounds must be a whole number from 1 to 100/);
    for (const n of ['9999', '10000001', '1e6', '1,000,000', ''])
      usageError([`--search-messages=${n}`], /--search-messages must be a whole number from 10000 to 10000000/);
    usageError(['--chat-pace=fast'], /--chat-pace must be spin or nap, not "fast"/);
    usageError(['--chat-priority=rt:1'], /--chat-priority must be nice:N or fifo:N/);
    usageError(['--out='], /--out needs a value/);
    usageError(['--only'], /argument missing|requires an argument|option '--only <value>'/i);
    usageError(['--profile=yes'], /does not take an argument/);
  });
});
