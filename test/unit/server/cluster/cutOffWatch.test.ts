import { strict as assert } from 'node:assert';
import { CutOffWatch } from '../../../../src/server/cluster/cutOffWatch';

/** An engine whose reachability the test sets, and a clock it moves. */
function fakeEngine(reachable = true) {
  const listeners = new Set<(reachable: boolean) => void>();
  return {
    up: reachable,
    reachable(): boolean {
      return this.up;
    },
    onStatus(listener: (reachable: boolean) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(up: boolean) {
      this.up = up;
      for (const l of listeners) l(up);
    },
    get listening() {
      return listeners.size;
    },
  };
}

describe('CutOffWatch', () => {
  it('refuses newcomers only once the engine has been away for the limit, and again when it is back', () => {
    let now = 1_000;
    const engine = fakeEngine();
    const watch = new CutOffWatch(engine, 10_000, () => now);
    assert.equal(watch.refusal(), undefined);
    engine.set(false);
    now += 9_999;
    assert.equal(watch.refusal(), undefined, 'a short cut refuses nobody');
    now += 2_500;
    assert.equal(watch.refusal(), 'this relay has been cut off from its cluster for 12 s; connect to another relay of the team');
    engine.set(false); // told again: the cut still counts from its start
    assert.match(watch.refusal()!, /for 12 s/);
    engine.set(true);
    assert.equal(watch.refusal(), undefined);
    engine.set(false);
    now += 5_000;
    assert.equal(watch.refusal(), undefined, 'a new cut counts from its own start');
    watch.close();
    assert.equal(engine.listening, 0);
  });

  it('counts a cut that began before it was made', () => {
    let now = 0;
    const watch = new CutOffWatch(fakeEngine(false), 100, () => now);
    now = 150;
    assert.match(watch.refusal()!, /cut off/);
  });
});
