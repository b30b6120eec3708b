import { strict as assert } from 'node:assert';
import { markdownAsText, safeForTerminal } from '../../../src/cli/terminalText';

/** Markdown as a terminal shows it: readable text, nothing of the markup a reader must decode. */
describe('markdownAsText', () => {
  it('leaves plain text exactly as it was', () => {
    for (const text of ['build 42 is green', 'hello   spaced\nsecond line', 'snake_case_name is fine? maybe', '']) {
      assert.equal(markdownAsText(text), text);
    }
  });

  it('drops emphasis and code markers, and shows links and images with their address', () => {
    assert.equal(markdownAsText('Some **bold**, _em_, ~~gone~~ and `a * b`.'), 'Some bold, em, gone and a * b.');
    assert.equal(markdownAsText('see [the docs](https://example.com/d) or <https://x.example>'), 'see the docs (https://example.com/d) or https://x.example');
    assert.equal(markdownAsText('mail <bob@example.com>'), 'mail bob@example.com');
    assert.equal(markdownAsText('![screenshot](https://i.example/p.png)'), 'screenshot (https://i.example/p.png)');
    assert.equal(markdownAsText('a \\*literal\\* star &amp; an &lt;tag&gt;'), 'a *literal* star & an <tag>');
  });

  it('puts headings on their own lines, the top two underlined, with blank lines between blocks', () => {
    assert.equal(markdownAsText('# Release\n\ntext\n\n## Notes\n\n### Small'), 'Release\n═══════\n\ntext\n\nNotes\n─────\n\nSmall');
  });

  it('shows lists with bullets, numbers, nesting and task boxes, and quotes behind a bar', () => {
    assert.equal(markdownAsText('- [ ] todo\n- [x] done\n  1. first\n  2. second\n- plain'), '• ☐ todo\n• ☑ done\n  1. first\n  2. second\n• plain');
    assert.equal(markdownAsText('3. three\n4. four'), '3. three\n4. four');
    assert.equal(markdownAsText('> quoted\n> on two lines\n\nafter'), '│ quoted\n│ on two lines\n\nafter');
  });

  it('indents code blocks four spaces, keeping their own indentation and markup', () => {
    assert.equal(markdownAsText('run:\n\n```ts\nconst x = **1**;\n  indented();\n```'), 'run:\n\n    const x = **1**;\n      indented();');
  });

  it('lays tables out in columns', () => {
    assert.equal(markdownAsText('| name | n |\n|---|--:|\n| alpha | 1 |\n| b | 22 |'), 'name  | n\n------+---\nalpha | 1\nb     | 22');
  });

  it('keeps raw HTML as characters and a lone piece of markup as typed; stays inert once made safe', () => {
    assert.equal(markdownAsText('<script>alert(1)</script>'), '<script>alert(1)</script>');
    assert.equal(markdownAsText('```'), '```');
    assert.equal(markdownAsText('#'), '#');
    assert.equal(markdownAsText('**\u001b[31mred\u001b[0m**'), '\\u001b[31mred\\u001b[0m');
    assert.equal(markdownAsText('<b>x</b>\rfake \u0000'), '<b>x</b>\\u000dfake \\u0000', 'a carriage return stays one escape, not a line');
    assert.equal(safeForTerminal(markdownAsText('a\u0007 *b*')), markdownAsText('a\u0007 *b*'), 'already safe');
    assert.equal(markdownAsText('`'.repeat(10_000)), '`'.repeat(10_000));
  });
});
