import { strict as assert } from 'node:assert';
import { CheckedHit, hitProblem } from '../../../bench/lib/searchChecks';

const KEYS = { general: '#general', deploys: '#c0ffee' };
const TS = Date.UTC(2026, 6, 3, 10);

function hit(extra: Partial<CheckedHit['message']> = {}, conv = '#c0ffee'): CheckedHit {
  return { conv, message: { from: 'id-bob', fromName: 'bob', text: 'deploy is green', ts: TS, ...extra } };
}

/** W7 holds each hit to its query's filters: a wrong hit counted as right would let a broken search pass. */
describe('bench search hit checks', () => {
  it('holds from: and in:#channel to the hit, and leaves plain words and phrases alone', () => {
    assert.equal(hitProblem('from:bob deploy', hit(), KEYS), undefined);
    assert.equal(hitProblem('from:BOB', hit(), KEYS), undefined, 'names compare case-insensitively');
    assert.match(hitProblem('from:carol deploy', hit(), KEYS) ?? '', /from bob, not carol/);
    assert.equal(hitProblem('in:#deploys green', hit(), KEYS), undefined);
    assert.match(hitProblem('in:#general green', hit(), KEYS) ?? '', /in #c0ffee, not #general/);
    assert.match(hitProblem('in:@dave', hit(), KEYS) ?? '', /not a direct conversation/);
    assert.equal(hitProblem('"has:code in:#general" zzz', hit(), KEYS), undefined, 'operators inside a phrase are words');
  });

  it('has:code takes a code reference or a fence, has:file a file', () => {
    assert.match(hitProblem('has:code', hit(), KEYS) ?? '', /no code/);
    assert.equal(hitProblem('has:code', hit({ code: { path: 'a.ts' } }), KEYS), undefined);
    assert.equal(hitProblem('has:code', hit({ text: 'see\n```ts\nx\n```' }), KEYS), undefined);
    assert.match(hitProblem('has:file', hit({ files: [] }), KEYS) ?? '', /no file/);
    assert.equal(hitProblem('has:file', hit({ files: [{ name: 'a.log' }] }), KEYS), undefined);
  });

  it('holds dates with a day of slack either way, and refuses tombstones', () => {
    assert.equal(hitProblem('on:2026-07-03', hit(), KEYS), undefined);
    assert.equal(hitProblem('on:2026-07-04', hit(), KEYS), undefined, 'a day of slack');
    assert.match(hitProblem('on:2026-07-06', hit(), KEYS) ?? '', /not on 2026-07-06/);
    assert.match(hitProblem('after:2026-07-10', hit(), KEYS) ?? '', /not after/);
    assert.equal(hitProblem('after:2026-07-01 before:2026-07-05', hit(), KEYS), undefined);
    assert.match(hitProblem('before:2026-06-30', hit(), KEYS) ?? '', /not before/);
    assert.match(hitProblem('deploy', hit({ deleted: true }), KEYS) ?? '', /deleted/);
  });
});
