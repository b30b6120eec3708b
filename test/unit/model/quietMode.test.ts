import { strict as assert } from 'node:assert';
import { QuietMode, QuietSettings } from '../../../src/model/quietMode';
import type { QuietReason } from '../../../src/model/notificationPolicy';
import { FakeClock } from '../helpers/fakeClock';

describe('quiet mode', function () {
  let clock: FakeClock;
  let settings: QuietSettings;
  let quiet: QuietMode;
  let heard: (QuietReason | undefined)[];

  beforeEach(function () {
    clock = new FakeClock();
    settings = { whileDebugging: true, typingSeconds: 20 };
    quiet = new QuietMode(() => settings, clock);
    heard = [];
    quiet.onDidChange((reason) => heard.push(reason));
  });

  afterEach(function () {
    quiet.dispose();
  });

  it('on while a debug session runs, off when the last one ends', function () {
    quiet.debugStarted('s1');
    quiet.debugStarted('s2');
    assert.equal(quiet.reason, 'debugging');
    quiet.debugEnded('s1');
    assert.equal(quiet.reason, 'debugging', 'one still runs');
    quiet.debugEnded('s2');
    assert.equal(quiet.reason, undefined);
    assert.deepEqual(heard, ['debugging', undefined], 'each change once');
  });

  it('on while typing, off once the setting’s seconds pass without an edit', function () {
    quiet.typed();
    assert.equal(quiet.reason, 'typing');
    clock.advance(15_000);
    quiet.typed();
    clock.advance(15_000);
    assert.equal(quiet.reason, 'typing', '15 s after the last edit');
    clock.advance(5_000);
    assert.equal(quiet.reason, undefined);
    assert.deepEqual(heard, ['typing', undefined]);
    assert.equal(clock.pending, 0, 'no timer left running');
  });

  it('one timer however fast the user types', function () {
    for (let i = 0; i < 100; i++) {
      quiet.typed();
      clock.advance(100);
    }
    assert.equal(clock.pending, 1);
  });

  it('debugging outranks typing and outlasts it', function () {
    quiet.typed();
    quiet.debugStarted('s1');
    assert.equal(quiet.reason, 'debugging');
    clock.advance(60_000);
    assert.equal(quiet.reason, 'debugging');
    quiet.debugEnded('s1');
    assert.equal(quiet.reason, undefined);
  });

  it('follows the settings: off for debugging, typing at 0 seconds', function () {
    settings = { whileDebugging: false, typingSeconds: 0 };
    quiet.debugStarted('s1');
    quiet.typed();
    assert.equal(quiet.reason, undefined);
    settings = { whileDebugging: true, typingSeconds: 0 };
    quiet.settingsChanged();
    assert.equal(quiet.reason, 'debugging', 'the session that runs counts once turned on');
  });
});
