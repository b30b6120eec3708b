import { strict as assert } from 'node:assert';
import { Disposable, disposeAll, Emitter, toDisposable } from '../../../src/model/lifecycle';

class Owner extends Disposable {
  register<T extends { dispose(): void }>(value: T): T {
    return this._register(value);
  }
  get wasDisposed(): boolean {
    return this.disposed;
  }
}

describe('lifecycle: the Disposable base and the emitter', () => {
  it('disposes what was registered once, the last registered first, however often dispose is called', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.register(toDisposable(() => order.push('first')));
    owner.register(toDisposable(() => order.push('second')));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['second', 'first']);
    assert.ok(owner.wasDisposed);
  });

  it('disposes at once what is registered after the owner was disposed', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = 0;
    owner.register(toDisposable(() => disposed++));
    assert.equal(disposed, 1);
  });

  it('disposes the others when one throws, and then throws', () => {
    const done: string[] = [];
    assert.throws(
      () =>
        disposeAll([
          toDisposable(() => done.push('a')),
          toDisposable(() => {
            throw new Error('b failed');
          }),
          toDisposable(() => done.push('c')),
        ]),
      /b failed/,
    );
    assert.deepEqual(done, ['c', 'a']);
    assert.throws(
      () =>
        disposeAll([
          toDisposable(() => {
            throw new Error('x');
          }),
          toDisposable(() => {
            throw new Error('y');
          }),
        ]),
      AggregateError,
    );
  });

  it('emits to each subscription, unsubscribes one, and to none after dispose', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    const listener = (n: number) => seen.push(`a${n}`);
    const first = emitter.event(listener);
    emitter.event(listener);
    emitter.event((n) => seen.push(`b${n}`));
    emitter.fire(1);
    first.dispose();
    first.dispose();
    emitter.fire(2);
    emitter.dispose();
    emitter.fire(3);
    assert.deepEqual(seen, ['a1', 'a1', 'b1', 'a2', 'b2']);
  });

  it('lets a listener unsubscribe itself while the event is being fired', () => {
    const emitter = new Emitter<void>();
    let calls = 0;
    const once = emitter.event(() => {
      calls++;
      once.dispose();
    });
    emitter.event(() => calls++);
    emitter.fire();
    emitter.fire();
    assert.equal(calls, 3);
  });
});
