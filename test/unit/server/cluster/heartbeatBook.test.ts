import { strict as assert } from 'node:assert';
import { HeartbeatBook } from '../../../../src/server/cluster/heartbeatBook';

describe('cluster presence: heartbeat bookkeeping (fake clock)', () => {
  it('declares a relay dead only after the limit passes without a heartbeat, and only once', () => {
    const book = new HeartbeatBook(3000);
    book.heard('a', 0);
    book.heard('b', 0);
    book.heard('a', 2000);
    assert.deepEqual(book.takeDead(3000), [], 'exactly at the limit is not past it');
    assert.deepEqual(book.takeDead(3001), ['b']);
    assert.equal(book.has('b'), false, 'forgotten once declared');
    assert.deepEqual(book.takeDead(4000), []);
    assert.deepEqual(book.takeDead(5001), ['a']);
    assert.deepEqual(book.takeDead(99_999), []);
  });

  it('forgets a relay that said goodbye, and hears it again when it comes back', () => {
    const book = new HeartbeatBook(1000);
    book.heard('a', 0);
    book.forget('a');
    assert.deepEqual(book.takeDead(5000), []);
    book.heard('a', 5000);
    assert.equal(book.has('a'), true);
    assert.deepEqual(book.takeDead(6001), ['a']);
  });

  it('pardons everyone after its own cut: their silence was ours', () => {
    const book = new HeartbeatBook(1000);
    book.heard('a', 0);
    book.heard('b', 500);
    book.pardonAll(10_000);
    assert.deepEqual(book.takeDead(10_900), []);
    assert.deepEqual(book.takeDead(11_001).sort(), ['a', 'b']);
  });
});
