import { strict as assert } from 'node:assert';
import { IdleWatch } from '../../../src/extension/idleAway';
import { UserStatus } from '../../../src/extension/userStatus';
import type { PeerStatus } from '../../../src/net/protocol/messages';
import { FakeClock } from '../helpers/fakeClock';
import { MemoryState } from '../helpers/savedState';

describe('the user status', function () {
  it('kept across sessions; each change told to the relay once', function () {
    const state = new MemoryState();
    const told: PeerStatus[] = [];
    const status = new UserStatus(state, (s) => told.push(s));
    assert.equal(status.current, 'online');
    status.choose('dnd');
    status.choose('dnd');
    assert.deepEqual(told, ['dnd']);
    assert.equal(new UserStatus(state, () => undefined).current, 'dnd');
  });

  it('a saved value that is no status: Available', function () {
    const state = new MemoryState();
    state.values.set('teamMessenger.status', 'sleeping');
    assert.equal(new UserStatus(state, () => undefined).chosen, 'online');
  });

  it('idle shows Away only when Available, and back on activity; Busy and Do Not Disturb stay', function () {
    const told: PeerStatus[] = [];
    const status = new UserStatus(new MemoryState(), (s) => told.push(s));
    status.setIdle(true);
    assert.equal(status.current, 'away');
    assert.equal(status.automaticAway, true);
    status.setIdle(false);
    assert.equal(status.current, 'online');
    status.choose('busy');
    status.setIdle(true);
    assert.equal(status.current, 'busy');
    status.choose('away');
    assert.equal(status.automaticAway, false, 'chosen, not automatic');
    assert.deepEqual(told, ['away', 'online', 'busy', 'away']);
  });
});

describe('automatic Away', function () {
  function watch(minutes: number, present = false) {
    const clock = new FakeClock();
    const events: boolean[] = [];
    const here = { present };
    const idle = new IdleWatch({ minutes: () => minutes, present: () => here.present, onIdle: (i) => events.push(i), clock });
    return { clock, events, here, idle };
  }

  it('idle after the minutes without activity while away from the window; back at the next activity', function () {
    const { clock, events, idle } = watch(10);
    clock.advance(9 * 60_000);
    idle.activity();
    clock.advance(9 * 60_000);
    assert.deepEqual(events, [], '9 minutes since the last activity');
    clock.advance(60_000);
    assert.deepEqual(events, [true]);
    clock.advance(60 * 60_000);
    assert.deepEqual(events, [true], 'said once');
    idle.activity();
    idle.activity();
    assert.deepEqual(events, [true, false]);
    idle.dispose();
  });

  it('not while the user is at the window (focused, interacting)', function () {
    const { clock, events, here, idle } = watch(10, true);
    clock.advance(60 * 60_000);
    assert.deepEqual(events, []);
    here.present = false;
    clock.advance(9 * 60_000);
    assert.deepEqual(events, [], 'counted from when they were last seen there');
    clock.advance(60_000);
    assert.deepEqual(events, [true]);
    idle.dispose();
  });

  it('0 minutes: never', function () {
    const { clock, events, idle } = watch(0);
    clock.advance(24 * 60 * 60_000);
    assert.deepEqual(events, []);
    assert.equal(clock.pending, 0);
    idle.dispose();
  });
});
