import { strict as assert } from 'node:assert';
import { peopleKey } from '../../../src/net/protocol/conversationKeys';
import { parseSearch, SearchNames } from '../../../src/server/searchQuery';
import { normaliseText, wordsOf } from '../../../src/server/searchText';

const ME = 'M'.repeat(22);
const BOB = 'B'.repeat(22);
const BOB2 = 'b'.repeat(22);
const CAROL = 'C'.repeat(22);

const names: SearchNames = {
  self: ME,
  people: (name) => ({ bob: [BOB, BOB2], carol: [CAROL], 'carol smith': [CAROL] })[name.toLowerCase()] ?? [],
  channel: (name) => ({ ops: 'c0ps', general: 'general' })[name],
};

const DAY = 24 * 3600 * 1000;

describe('search text and queries', () => {
  describe('wordsOf', () => {
    it('cuts text into NFKC-normalised lowercase words of letters, digits and marks', () => {
      assert.deepEqual(wordsOf('Deploy-FAILED: on host_42, 3rd try!'), ['deploy', 'failed', 'on', 'host', '42', '3rd', 'try']);
      assert.deepEqual(wordsOf('Ｄｅｐｌｏｙ ﬁle'), ['deploy', 'file'], 'full-width letters and ligatures fold');
      assert.deepEqual(wordsOf('Café naïve 日本語 Ελληνικά'), ['café', 'naïve', '日本語', 'ελληνικά']);
      assert.deepEqual(wordsOf('cafe\u0301'), ['café'], 'a combining accent joins its letter');
      assert.deepEqual(wordsOf('"\\\n\u0000\u2028\ud800 ```ts'), ['ts']);
      assert.deepEqual(wordsOf(''), []);
      assert.equal(normaliseText('ÀB'), 'àb');
    });
  });

  describe('parseSearch', () => {
    const parse = (text: string) => parseSearch(text, names);

    it('takes words (each once) and quoted phrases, normalised', () => {
      assert.deepEqual(parse('Deploy FAILED deploy "Build  Broke" Ｘ'), { words: ['deploy', 'failed', 'x'], phrases: [['build', 'broke']] });
      assert.deepEqual(parse('"unterminated phrase'), { words: [], phrases: [['unterminated', 'phrase']] });
      assert.deepEqual(parse('"" ok'), { words: ['ok'], phrases: [] });
      assert.deepEqual(parse('https://git.example.com/x'), { words: ['https', 'git', 'example', 'com', 'x'], phrases: [] });
      assert.deepEqual(parse('note:this'), { words: ['note', 'this'], phrases: [] }, 'an unknown operator is searched as words');
    });

    it('resolves from: and in: through the names it is given', () => {
      assert.deepEqual(parse('from:bob x'), { words: ['x'], phrases: [], from: [BOB, BOB2] });
      assert.deepEqual(parse('From:@carol from:me'), { words: [], phrases: [], from: [CAROL, ME] });
      assert.deepEqual(parse('from:"Carol Smith"'), { words: [], phrases: [], from: [CAROL] });
      assert.deepEqual(parse('in:#ops in:general'), { words: [], phrases: [], in: ['#c0ps', '#general'] });
      assert.deepEqual(parse('in:#OPS'), { words: [], phrases: [], in: ['#c0ps'] });
      assert.deepEqual(parse('in:@bob'), { words: [], phrases: [], in: [peopleKey([ME, BOB]), peopleKey([ME, BOB2])] });
      assert.deepEqual(parse('in:@carol,@me'), { words: [], phrases: [], in: [peopleKey([ME, CAROL])] });
    });

    it('refuses what it cannot resolve, clearly', () => {
      assert.deepEqual(parse('from:nobody'), { error: 'nobody is called "nobody"' });
      assert.deepEqual(parse('in:#secret'), { error: 'no channel #secret' });
      assert.deepEqual(parse('in:@bob,carol'), { error: '"bob" is the name of several people: use their ids' });
      assert.deepEqual(parseSearch('in:@carol', { ...names, self: undefined }), { error: 'in:@ needs to know who is searching' });
      assert.deepEqual(parse('has:link'), { error: 'has: takes "file", "image" or "code", not "link"' });
      assert.deepEqual(parse('is:urgent'), { error: 'is: takes "mention", not "urgent"' });
      assert.deepEqual(parseSearch('is:mention', { ...names, self: undefined }), { error: 'is:mention needs to know who is searching' });
      assert.deepEqual(parse('from:""'), { error: 'from: needs a value' });
      assert.deepEqual(parse('--- !!'), { error: 'nothing to search for: type some words' });
    });

    it('takes has:file, has:image, has:code, is:mention and dates (UTC days)', () => {
      assert.deepEqual(parse('has:FILES has:code'), { words: [], phrases: [], hasFile: true, hasCode: true });
      assert.deepEqual(parse('has:image'), { words: [], phrases: [], hasImage: true });
      assert.deepEqual(parse('is:mention deploy'), { words: ['deploy'], phrases: [], mentioning: ME });
      assert.deepEqual(parse('IS:Mentions'), { words: [], phrases: [], mentioning: ME });
      const day = Date.UTC(2025, 0, 31);
      assert.deepEqual(parse('before:2025-01-31'), { words: [], phrases: [], until: day });
      assert.deepEqual(parse('after:2025-01-31'), { words: [], phrases: [], since: day + DAY });
      assert.deepEqual(parse('on:2025-01-31'), { words: [], phrases: [], since: day, until: day + DAY });
      assert.deepEqual(parse('after:2025-01-01 before:2025-02-01 after:2025-01-10'), {
        words: [],
        phrases: [],
        since: Date.UTC(2025, 0, 11),
        until: Date.UTC(2025, 1, 1),
      });
      assert.deepEqual(parse('on:2025-02-30'), { error: 'on: takes a date as YYYY-MM-DD, not "2025-02-30"' });
      assert.deepEqual(parse('before:yesterday'), { error: 'before: takes a date as YYYY-MM-DD, not "yesterday"' });
      assert.deepEqual(parse('after:2025-01-31 before:2025-01-31'), { error: 'the dates leave no time to search in' });
    });
  });
});
