import { strict as assert } from 'node:assert';
import { ConversationLevels, MAX_LEVELS } from '../../../src/model/conversationMute';
import type { NotifyLevel } from '../../../src/model/notificationPolicy';
import { assertDiscarded, CORRUPT, MemoryState } from '../helpers/savedState';
import { LogCapture } from '../helpers/security';

const KEY = 'teamMessenger.notifyLevels';
const BOB = 'B'.repeat(22);

describe('per-conversation notification levels', function () {
  it('kept across sessions; forgetting one brings back the default', function () {
    const state = new MemoryState();
    const levels = new ConversationLevels(state, new LogCapture());
    const changed: string[] = [];
    levels.onDidChange((id) => changed.push(id));
    levels.set('channel:deploys', 'muted');
    levels.set(`peer:${BOB}`, 'mentions');
    levels.set('channel:deploys', 'muted');
    assert.deepEqual(changed, ['channel:deploys', `peer:${BOB}`], 'no change, no event');

    const again = new ConversationLevels(state, new LogCapture());
    assert.equal(again.get('channel:deploys'), 'muted');
    assert.equal(again.get(`peer:${BOB}`), 'mentions');
    assert.equal(again.get('all'), undefined);
    again.set('channel:deploys', undefined);
    assert.equal(new ConversationLevels(state, new LogCapture()).get('channel:deploys'), undefined);
  });

  it('refuses what is not a conversation or a level, and keeps what was set', function () {
    const levels = new ConversationLevels(new MemoryState(), new LogCapture());
    levels.set('all', 'all');
    assert.throws(() => levels.set('nonsense', 'muted'), /Not a conversation/);
    assert.throws(() => levels.set('all', 'loud' as NotifyLevel), /Not a notification level/);
    assert.equal(levels.get('all'), 'all');
  });

  it('beyond MAX_LEVELS the oldest settings go', function () {
    const state = new MemoryState();
    const levels = new ConversationLevels(state, new LogCapture());
    for (let i = 0; i <= MAX_LEVELS; i++) levels.set(`channel:c${i}`, 'muted');
    assert.equal(levels.get('channel:c0'), undefined);
    assert.equal(levels.get(`channel:c${MAX_LEVELS}`), 'muted');
    assert.equal(new ConversationLevels(state, new LogCapture()).get('channel:c1'), 'muted', 'what was saved reads back');
  });

  for (const [what, value] of [
    ...CORRUPT,
    ['an unknown level', () => [['all', 'loud']]] as [string, () => unknown],
    ['a bad id', () => [['peer:x', 'muted']]] as [string, () => unknown],
  ]) {
    it(`a saved value that is ${what}: cleared, said once, every conversation at its default`, function () {
      const state = new MemoryState();
      state.values.set(KEY, value());
      const log = new LogCapture();
      const levels = new ConversationLevels(state, log);
      assert.equal(levels.get('all'), undefined);
      assertDiscarded(state, log, KEY, 'conversation notification settings');
    });
  }
});
