import { strict as assert } from 'node:assert';
import { ConversationLimits } from '../../../src/net/protocol/conversationKeys';
import { vocabulary } from '../../../bench/lib/corpusWords';
import { benchQueries, QUERY_KINDS, QuerySource } from '../../../bench/lib/searchQueries';

function source(): QuerySource {
  return {
    vocabulary: vocabulary(20_000, 1),
    samples: [
      { conv: '#deploys1', from: 'bob', ts: Date.UTC(2026, 6, 3, 10), words: ['deploy', 'the', 'flumbrix', 'canary', 'today'] },
      { conv: '#general', from: 'carol.b', ts: Date.UTC(2026, 7, 9, 15), words: ['retry', 'backoff', 'is', 'weird'] },
      { conv: '@a,b', from: 'dave', ts: Date.UTC(2026, 8, 1, 9), words: ['lgtm', 'ship', 'it'] },
    ],
    channels: [
      { id: 'general', name: 'general', private: false, readable: true, weight: 0 },
      { id: 'deploys1', name: 'deploys', private: false, readable: true, weight: 1 },
    ],
    secretWord: 'quuxplorative',
    outsiderNames: ['mallory'],
  };
}

describe('bench search queries', () => {
  it('asks the same number of every kind, shuffled, the same for the same seed', () => {
    const queries = benchQueries(source(), 30, 7);
    assert.equal(queries.length, 30 * QUERY_KINDS.length);
    for (const kind of QUERY_KINDS) assert.equal(queries.filter((q) => q.kind === kind).length, 30, kind);
    assert.notDeepEqual(
      queries.slice(0, 10).map((q) => q.kind),
      Array(10).fill(QUERY_KINDS[0]),
      'not in kind order',
    );
    assert.deepEqual(benchQueries(source(), 30, 7), queries);
    assert.notDeepEqual(benchQueries(source(), 30, 8), queries);
  });

  it('writes each kind in the search syntax, within the protocol’s query length', () => {
    const queries = benchQueries(source(), 30, 7);
    const of = (kind: string) => queries.filter((q) => q.kind === kind).map((q) => q.text);
    for (const q of queries) assert.ok(q.text.length > 0 && q.text.length <= ConversationLimits.queryChars, q.text);
    assert.ok(of('phrase').every((t) => /^"[^"]+ [^"]+"$/.test(t)));
    assert.ok(of('from:').every((t) => /^from:(bob|carol\.b|dave)( \S+)?$/.test(t)));
    assert.ok(of('in:#channel').every((t) => /^in:#(deploys|general) \S+$/.test(t)));
    assert.ok(of('has:').every((t) => /^has:(code|file)( \S+)?$/.test(t)));
    assert.ok(of('dates').every((t) => /^((on|after|before):2026-\d\d-\d\d )+\S+$/.test(t)));
    assert.ok(of('prefix').every((t) => /^[a-z]{3,5}$/.test(t)));
    assert.ok(of('finds nothing').some((t) => t === 'quuxplorative'));
    assert.ok(of('finds nothing').some((t) => t === 'from:mallory quuxplorative'));
  });

  it('builds two-word, phrase and channel queries from words of one sampled message, so they find it', () => {
    const s = source();
    const queries = benchQueries(s, 30, 3);
    for (const q of queries.filter((x) => x.kind === 'phrase')) {
      const words = q.text.slice(1, -1).split(' ');
      assert.ok(
        s.samples.some((m) => m.words.join(' ').includes(words.join(' '))),
        `${q.text} is consecutive words of a sample`,
      );
    }
    for (const q of queries.filter((x) => x.kind === 'in:#channel')) {
      const [where, word] = q.text.split(' ');
      const channel = s.channels.find((c) => `in:#${c.name}` === where)!;
      const key = channel.id === 'general' ? '#general' : `#${channel.id}`;
      assert.ok(
        s.samples.some((m) => m.conv === key && m.words.includes(word)),
        `${q.text}: the word is in a sample of that channel`,
      );
    }
  });
});
