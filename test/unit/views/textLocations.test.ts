import * as assert from 'assert';
import { linkTarget } from '../../../src/views/linkTargets';
import { textLocations } from '../../../src/views/webview/textLocations';

/**
 * The chat's path:line links (issue 28) post an href the extension resolves with linkTarget:
 * each one must land on the file and line the text named, and what it would refuse stays text.
 */
describe('textLocations', () => {
  const targets = (text: string) => textLocations(text, 200).map((l) => [text.slice(l.start, l.end), linkTarget(l.href)]);

  it('links typed and pasted locations to the file and line the extension opens', () => {
    assert.deepEqual(targets('see src/app.ts:12 and foo/bar.py:3:5, README.md:3'), [
      ['src/app.ts:12', { kind: 'workspace', relative: 'src/app.ts', line: 12 }],
      ['foo/bar.py:3:5', { kind: 'workspace', relative: 'foo/bar.py', line: 3 }],
      ['README.md:3', { kind: 'workspace', relative: 'README.md', line: 3 }],
    ]);
    // A path's own space, # and ? reach the extension as the characters they are.
    assert.deepEqual(targets('src/b.ts(4,2): error and File "my #1/x?.py", line 7, in main'), [
      ['src/b.ts(4,2)', { kind: 'workspace', relative: 'src/b.ts', line: 4 }],
      ['File "my #1/x?.py", line 7', { kind: 'workspace', relative: 'my #1/x?.py', line: 7 }],
    ]);
  });

  it('keeps text it could not open from a workspace, and schemes, as text', () => {
    const text = 'javascript:alert(1):3 command:x.ts:1 /etc/passwd:1 C:\\w\\a.ts:3 ~/a.ts:2 ../../x.ts:4 a/../../b.ts:5 12:30 example.com:443';
    assert.deepEqual(targets(text), []);
  });

  it('stops at the cap', () => {
    const text = Array.from({ length: 30 }, (_, i) => `f${i}.ts:1`).join(' ');
    assert.equal(textLocations(text, 10).length, 10);
    assert.deepEqual(textLocations(text, 0), []);
  });
});
