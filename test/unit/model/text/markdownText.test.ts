import { strict as assert } from 'node:assert';
import { markdownAsPlainText, markdownOneLine } from '../../../../src/model/text/markdownText';

/** The plain-text forms of markdown that notifications, previews and the CLI show. */
describe('markdownAsPlainText', () => {
  it('leaves plain text exactly as it was, control characters included', () => {
    for (const text of ['build 42 is green', 'hello   spaced\nsecond line', 'snake_case_name', '', 'bell\u0007 and\rreturn']) {
      assert.equal(markdownAsPlainText(text), text);
    }
  });

  it('drops the markers and keeps the words', () => {
    assert.equal(markdownAsPlainText('**Deploy** of _web_ is ~~late~~ `now`'), 'Deploy of web is late now');
    assert.equal(markdownAsPlainText('see [docs](https://example.com/d)'), 'see docs (https://example.com/d)');
  });

  it('draws structure only when decorated', () => {
    const text = '# Release\n\n> quoted\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |';
    assert.equal(markdownAsPlainText(text), 'Release\n═══════\n\n│ quoted\n\n' + '─'.repeat(20) + '\n\na | b\n--+--\n1 | 2');
    assert.equal(markdownAsPlainText(text, { decorated: false }), 'Release\n\nquoted\n\na | b\n1 | 2');
  });
});

describe('markdownOneLine', () => {
  it('is the plain text on one line', () => {
    assert.equal(markdownOneLine('**Deploy** done:\n\n- web\n- api\n\n```sh\nmake  ship\n```', 200), 'Deploy done: • web • api make ship');
    assert.equal(markdownOneLine('# Incident\n\n> all _fine_ now', 200), 'Incident all fine now');
    assert.equal(markdownOneLine('plain text', 200), 'plain text');
  });

  it('cuts at maxChars code points with an ellipsis', () => {
    assert.equal(markdownOneLine('**abcdef**', 4), 'abc…');
    assert.equal(markdownOneLine('😀😀😀😀😀', 3), '😀😀…');
    assert.equal(markdownOneLine('**abcd**', 4), 'abcd');
  });

  it('reads only the start of a long message, and says it was cut', () => {
    const long = `**start** ${'word '.repeat(100_000)}`;
    const line = markdownOneLine(long, 50);
    assert.ok(line.startsWith('start word word'), line);
    assert.equal(Array.from(line).length, 50);
    assert.ok(line.endsWith('…'));
    // A short result from a cut source still says something is missing.
    assert.ok(markdownOneLine(`[x](https://example.com/${'a'.repeat(5_000)})`, 10).endsWith('…'));
  });

  it('keeps raw HTML and hostile markup as characters', () => {
    assert.equal(markdownOneLine('<script>alert(1)</script> **hi**', 200), '<script>alert(1)</script> hi');
    assert.equal(markdownOneLine('`'.repeat(10_000), 20), `${'`'.repeat(19)}…`);
  });
});
