import { strict as assert } from 'node:assert';
import { clientOptions, parse, UsageError } from '../../../src/cli/options';

describe('CLI options', () => {
  const options = { ...clientOptions, thread: { type: 'string' }, patch: { type: 'string' }, all: { type: 'boolean' } } as const;

  it('takes a value that starts with a dash, as message ids and secrets from older relays may', () => {
    const { values, positionals } = parse(['--thread', '-Ab3-12', '--secret', '--s3cret', '--all', 'hi'], options);
    assert.equal(values.thread, '-Ab3-12');
    assert.equal(values.secret, '--s3cret');
    assert.equal(values.all, true);
    assert.deepEqual(positionals, ['hi']);
  });

  it('never takes a known option as a value, and leaves "-" and what follows "--" alone', () => {
    assert.throws(() => parse(['--thread', '--json', 'hi'], options), UsageError);
    assert.throws(() => parse(['--thread', '-h'], options), UsageError);
    assert.throws(() => parse(['--thread', '--all'], options), UsageError);
    const stdin = parse(['--patch', '-', '-'], options);
    assert.deepEqual([stdin.values.patch, stdin.positionals], ['-', ['-']]);
    const rest = parse(['--all', '--', '--thread', '-x'], options);
    assert.deepEqual([rest.values.thread, rest.positionals], [undefined, ['--thread', '-x']]);
    assert.equal(parse(['--thread=-x'], options).values.thread, '-x');
  });

  it('still refuses unknown options, and a dash value after a flag', () => {
    assert.throws(() => parse(['--nope', '-x'], options), /Unknown option '--nope'/);
    assert.throws(() => parse(['--all', '-x'], options), UsageError);
  });
});
