import { strict as assert } from 'node:assert';
import { composerState } from '../../../src/views/composerState';

describe('composerState (what Enter does in the chat)', () => {
  it('sends when connected, queues offline once there is a store, and is blocked (with why) before that', () => {
    assert.deepEqual(composerState({ connectionState: 'connected', acceptsMessages: true }), { mode: 'send', note: '' });
    for (const state of ['connecting', 'reconnecting', 'closed', 'idle'] as const) {
      const offline = composerState({ connectionState: state, acceptsMessages: true });
      assert.equal(offline.mode, 'queue', state);
      assert.match(offline.note, /wait here and go out when the connection is back/);
    }
    const blocked = composerState({ connectionState: 'idle', acceptsMessages: false });
    assert.equal(blocked.mode, 'blocked');
    assert.match(blocked.note, /Not connected to a relay.*What you type stays here/);
  });
});
