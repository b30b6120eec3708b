import * as assert from 'assert';
import type { CodeThemeView, FromWebview, MessageView } from '../../src/views/chatProtocol';
import { fallbackCodeTheme } from '../../src/views/codeThemeFallback';
import { ChatPage, useChatPage } from './chatPage';
import { MIN, NOON, bobView, init, peerMessage } from './fixtures';
import { grammarReply, HOSTILE_MARKDOWN } from './richTextFixtures';
import { DARK, LIGHT } from './themes';

/**
 * Formatted messages in a real Chromium with the real document, CSP and script: markdown as DOM,
 * links that only ask the extension, fenced code coloured in the theme's colours once the grammar
 * arrives, mentions, and a corpus of hostile markdown that must stay inert.
 */

/** The page's DOM as these tests use it inside evaluate() (the root tsconfig has no DOM types). */
interface PageElement {
  tagName: string;
  textContent: string | null;
  getAttributeNames(): string[];
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: { getElementById(id: string): PageElement | null; querySelectorAll(selector: string): Iterable<PageElement> };
declare function getComputedStyle(el: unknown): { color: string; fontStyle: string };

/** A theme with colours no real one has, so a test can tell where each came from. */
export const TEST_THEME: CodeThemeView = {
  name: 'Test Theme',
  kind: 'dark',
  fg: '#d4d4d4',
  bg: '#1e1e1e',
  source: 'theme',
  tokenColors: [
    { scope: ['keyword', 'storage.type', 'storage.modifier'], settings: { foreground: '#ff0000' } },
    { scope: 'string', settings: { foreground: '#00ff00' } },
    { scope: 'comment', settings: { foreground: '#0000ff', fontStyle: 'italic' } },
    { scope: ['entity.name.function'], settings: { foreground: '#ffff00' } },
  ],
};

function message(id: string, text: string, extra: Partial<MessageView> = {}): MessageView {
  return { ...peerMessage(id, text, NOON - 5 * MIN), ...extra };
}

describe('chat webview: formatted messages (Chromium)', function () {
  const session = useChatPage();
  let chat: ChatPage;
  beforeEach(() => (chat = session.chat));
  const page = () => chat.page;
  const row = (id: string) => page().locator(`#log .message[data-message-id="${id}"]`);

  async function show(messages: MessageView[], theme: CodeThemeView | undefined = TEST_THEME): Promise<void> {
    await chat.send(init({ selected: bobView({ messages }), ...(theme ? { codeTheme: theme } : {}) }));
    await row(messages[messages.length - 1]!.id).waitFor();
    await chat.formatted();
  }

  it('renders CommonMark and GFM as elements: headings, emphasis, lists, tables, task lists, inline code', async () => {
    const text = [
      '## Release notes',
      'Some **bold**, *italic*, ~~struck~~ and `inline code`.',
      '',
      '- [x] tests pass',
      '- [ ] docs',
      '',
      '1. one',
      '2. two',
      '',
      '| name | count |',
      '|:-----|------:|',
      '| bob  | 3     |',
      '',
      '> quoted',
    ].join('\n');
    await show([message('md1', text)]);
    const body = row('md1').locator('.message-text.markdown');
    assert.strictEqual(await body.locator('h2').textContent(), 'Release notes');
    assert.strictEqual(await body.locator('strong').textContent(), 'bold');
    assert.strictEqual(await body.locator('em').textContent(), 'italic');
    assert.strictEqual(await body.locator('s').textContent(), 'struck');
    assert.strictEqual(await body.locator('code.md-code-inline').textContent(), 'inline code');
    assert.strictEqual(await body.locator('li.md-task').count(), 2);
    assert.deepStrictEqual(await body.locator('li.md-task .md-task-box').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))), [
      'Done:',
      'To do:',
    ]);
    assert.strictEqual((await body.locator('li.md-task').first().textContent())?.trim(), 'tests pass');
    assert.strictEqual(await body.locator('ol > li').count(), 2);
    assert.strictEqual(await body.locator('table td.md-align-right').textContent(), '3');
    assert.strictEqual(await body.locator('blockquote').textContent(), 'quoted');
  });

  it('keeps a paragraph too long to format as its characters, the rest of the message formatted', async () => {
    const long = '*a **b [c '.repeat(1_000);
    await show([message('long1', `**short** one\n\n${long}\nsecond line`)]);
    const body = row('long1').locator('.message-text.markdown');
    assert.strictEqual(await body.locator('strong').textContent(), 'short');
    const paragraphs = await body.locator('p').allTextContents();
    assert.strictEqual(paragraphs[1], `${long}second line`, 'every character kept, the line break as a break');
    assert.strictEqual(await body.locator('p').nth(1).locator('br').count(), 1);
  });

  it('shows a table wider than 64 columns as its source, and makes at most 200 links in a message clickable', async () => {
    const wide = `|${'a|'.repeat(65)}\n|${'-|'.repeat(65)}\n|${'x|'.repeat(65)}`;
    const many = Array.from({ length: 250 }, (_, i) => `https://e${i}.example`).join(' ');
    await show([message('wide', `| a | b |\n|---|---|\n| 1 | 2 |\n\n${wide}`)]);
    assert.strictEqual(await row('wide').locator('table').count(), 1, 'the narrow table is a table');
    assert.strictEqual(await row('wide').locator('p').last().textContent(), wide.replace(/\n/g, ''), 'the wide one its characters, line by line');
    await chat.send({ type: 'conversation', conversation: bobView({ messages: [message('many', many)] }) });
    await row('many').waitFor();
    assert.strictEqual(await row('many').locator('.md-link').count(), 200);
    assert.strictEqual(await row('many').locator('.md-link-text').count(), 50);
    assert.strictEqual(await row('many').locator('.message-text').textContent(), many);
  });

  it('sends links to the extension on click or Enter; never an <a href>; others are plain text', async () => {
    const text =
      'see https://example.com/a?b=1 and [the docs](https://docs.example/x) and [code](src/net/backoff.ts#L42) and [bad](javascript:alert(1)) and [cmd](command:workbench.action.quit) and [data](data:text/html,hi)';
    await show([message('ln1', text)]);
    const links = row('ln1').locator('.md-link');
    assert.deepStrictEqual(await links.evaluateAll((els) => els.map((e) => e.getAttribute('data-href'))), [
      'https://example.com/a?b=1',
      'https://docs.example/x',
      'src/net/backoff.ts#L42',
    ]);
    assert.strictEqual(await page().locator('#log a[href], #log [href]').count(), 0, 'nothing the page could navigate to');
    await chat.clearPosted();
    await links.nth(1).click();
    await links.nth(2).focus();
    await page().keyboard.press('Enter');
    const opened = (await chat.posted()).filter((m): m is Extract<FromWebview, { type: 'open-link' }> => m.type === 'open-link').map((m) => m.href);
    assert.deepStrictEqual(opened, ['https://docs.example/x', 'src/net/backoff.ts#L42']);
    const textOnly = await row('ln1').locator('.message-text').textContent();
    assert.ok(textOnly?.includes('javascript:alert(1)') && textOnly.includes('command:workbench.action.quit'), 'refused links stay readable as text');
  });

  it('makes each path:line a person typed a file link (not in code, not inside links); hostile lookalikes stay text', async () => {
    const text = [
      'see src/app.ts:12 and foo/bar.py:3:5',
      'not `src/code.ts:7` nor [the docs](https://docs.example/x.ts:9) nor javascript:alert(1):3 nor javascript:evil.js:4 nor /etc/passwd:1',
    ].join('\n');
    await show([message('loc1', text)]);
    const links = row('loc1').locator('.md-link');
    assert.deepStrictEqual(await links.evaluateAll((els) => els.map((e) => [e.textContent, e.getAttribute('data-href')])), [
      ['src/app.ts:12', 'src/app.ts:12'],
      ['foo/bar.py:3:5', 'foo/bar.py:3:5'],
      ['the docs', 'https://docs.example/x.ts:9'],
    ]);
    assert.strictEqual(await row('loc1').locator('code.md-code-inline').textContent(), 'src/code.ts:7', 'inline code stays text');
    assert.strictEqual(await row('loc1').locator('code.md-code-inline .md-link').count(), 0);
    assert.strictEqual(
      await row('loc1').locator('.message-text').textContent(),
      text.replace(/`/g, '').replace('[the docs](https://docs.example/x.ts:9)', 'the docs').replace('\n', ''),
    );
    await chat.clearPosted();
    await links.nth(0).click();
    await links.nth(1).focus();
    await page().keyboard.press('Enter');
    const opened = (await chat.posted()).filter((m): m is Extract<FromWebview, { type: 'open-link' }> => m.type === 'open-link').map((m) => m.href);
    assert.deepStrictEqual(opened, ['src/app.ts:12', 'foo/bar.py:3:5']);
    // The renderer's cap holds for these links too; a bare file name becomes ./name (not a scheme).
    const many = Array.from({ length: 250 }, (_, i) => `f${i}.ts:${i + 1}`).join(' ');
    await chat.send({ type: 'conversation', conversation: bobView({ messages: [message('loc2', many)] }) });
    await row('loc2').waitFor();
    assert.strictEqual(await row('loc2').locator('.md-link').count(), 200);
    assert.strictEqual(await row('loc2').locator('.md-link').first().getAttribute('data-href'), './f0.ts:1');
    assert.strictEqual(await row('loc2').locator('.message-text').textContent(), many);
  });

  it('colours a fenced TypeScript block in the theme once its grammar arrives, and again on a theme change', async () => {
    await show([message('code1', 'look:\n```ts\n// retry\nconst delay = "5s";\nfunction next() {}\n```')]);
    const code = row('code1').locator('figure.md-code-block pre code');
    assert.strictEqual(await code.textContent(), '// retry\nconst delay = "5s";\nfunction next() {}');
    await chat.waitForPosted((m) => m.type === 'load-grammar' && m.language === 'typescript', 'the TypeScript grammar asked for');
    await chat.send(grammarReply('typescript'));
    await code.locator('span').first().waitFor();
    const colorOf = (text: string) =>
      code
        .locator('span', { hasText: text })
        .first()
        .evaluate((el) => getComputedStyle(el).color);
    assert.strictEqual(await colorOf('const'), 'rgb(255, 0, 0)');
    assert.strictEqual(await colorOf('5s'), 'rgb(0, 255, 0)');
    assert.strictEqual(await colorOf('// retry'), 'rgb(0, 0, 255)');
    assert.strictEqual(
      await code
        .locator('span', { hasText: '// retry' })
        .first()
        .evaluate((el) => getComputedStyle(el).fontStyle),
      'italic',
    );
    assert.strictEqual(await colorOf('next'), 'rgb(255, 255, 0)');
    assert.strictEqual(await code.textContent(), '// retry\nconst delay = "5s";\nfunction next() {}', 'colouring keeps the text');

    await chat.send({ type: 'code-theme', theme: { ...TEST_THEME, tokenColors: [{ scope: 'storage.type', settings: { foreground: '#123456' } }] } });
    await page().waitForFunction(() => {
      const span = [...document.querySelectorAll('figure.md-code-block code span')].find((el) => el.textContent === 'const');
      return span !== undefined && getComputedStyle(span).color === 'rgb(18, 52, 86)';
    });
  });

  it('highlights shared code (message.code) by its language, and the Copy and Open in Editor buttons ask the extension', async () => {
    await show([
      { ...message('code2', 'const x = 1;'), code: { path: 'src/a.ts', startLine: 1, endLine: 1, language: 'typescript' } },
      message('code3', '```python\nprint("hi")\n```'),
    ]);
    await chat.waitForPosted((m) => m.type === 'load-grammar' && m.language === 'python');
    await chat.send(grammarReply('typescript'));
    await row('code2').locator('pre code span').first().waitFor();
    await chat.clearPosted();
    await row('code3').locator('button.copy-code').click();
    await row('code3').locator('button.open-snippet').click();
    const posted = await chat.posted();
    assert.deepStrictEqual(
      posted.filter((m) => m.type === 'copy-text' || m.type === 'open-snippet'),
      [
        { type: 'copy-text', text: 'print("hi")' },
        { type: 'open-snippet', language: 'python', text: 'print("hi")' },
      ],
    );
  });

  it('keeps a block plain when no grammar comes (an unknown language, or the extension has none)', async () => {
    await show([message('code4', '```brainfuck\n+++[>++<-]\n```'), message('code5', '```rust\nfn main() {}\n```')]);
    await chat.send({ type: 'grammar', language: 'rust', grammars: undefined });
    assert.strictEqual(await row('code4').locator('pre code').textContent(), '+++[>++<-]');
    assert.strictEqual(await row('code5').locator('pre code span').count(), 0);
    assert.ok(!(await chat.posted()).some((m) => m.type === 'load-grammar' && m.language === 'brainfuck'), 'no grammar asked for an unknown language');
  });

  it('highlights the mentions the message carries (the user’s own stronger) and #channel names, not inside code', async () => {
    const text = 'hey @alice and @Bob Smith, see #deploys and `@alice #notachannel` :tada:';
    await show([
      message('mn1', text, {
        mentions: [
          { text: '@alice', self: true },
          { text: '@Bob Smith', self: false },
        ],
        mentionsSelf: true,
      }),
    ]);
    const body = row('mn1').locator('.message-text');
    assert.deepStrictEqual(await body.locator('.mention').allTextContents(), ['@alice', '@Bob Smith']);
    assert.deepStrictEqual(await body.locator('.mention-self').allTextContents(), ['@alice']);
    assert.deepStrictEqual(await body.locator('.md-channel').allTextContents(), ['#deploys']);
    assert.strictEqual(await body.locator('code .mention, code .md-channel').count(), 0);
    assert.ok((await body.textContent())?.includes('🎉'), ':shortcode: shown as its emoji');
  });

  it('renders a hostile-markdown corpus inert: no elements, attributes or links from it, nothing runs', async () => {
    await show([message('start', 'hello')]);
    let plainShown = 0;
    for (const [i, entry] of HOSTILE_MARKDOWN.entries()) {
      await chat.send({ type: 'conversation', conversation: bobView({ messages: [message(`h${i}`, entry.text)] }) });
      await row(`h${i}`).waitFor();
      const found = await inspectLog();
      assert.deepStrictEqual(found.bad, [], `${entry.name}: only the renderer’s own elements and attributes`);
      // A file link may end in `:line[:col]` (a path:line in the text), and has no other colon.
      for (const href of found.links) assert.match(href, /^(https?:|mailto:|[^:]*(?::\d+){0,2}$)/i, `${entry.name}: a clickable ${href}`);
      plainShown += await page().locator('#log .message-text.plain').count();
      if (entry.text.length > 50_000)
        assert.equal(await page().locator('#log .message-text.plain button.show-all').count(), 1, `${entry.name}: the rest behind Show all`);
    }
    assert.strictEqual(await chat.pwned(), undefined, 'no script of the corpus ran');
    assert.ok(plainShown >= 1, 'the megabyte of nested lists is shown as plain text, not parsed');
  });

  /** Elements and attributes in the log the renderer does not make, and the links it made clickable. */
  function inspectLog(): Promise<{ bad: string[]; links: string[] }> {
    return page().evaluate(() => {
      const log = document.getElementById('log')!;
      const allowed = new Set([
        'DIV',
        'SPAN',
        'P',
        'H1',
        'H2',
        'H3',
        'H4',
        'H5',
        'H6',
        'BLOCKQUOTE',
        'UL',
        'OL',
        'LI',
        'TABLE',
        'THEAD',
        'TBODY',
        'TR',
        'TH',
        'TD',
        'EM',
        'STRONG',
        'S',
        'CODE',
        'PRE',
        'BR',
        'HR',
        'A',
        'FIGURE',
        'FIGCAPTION',
        'BUTTON',
        'TIME',
      ]);
      const bad: string[] = [];
      for (const el of log.querySelectorAll('.message-main *')) {
        if (!allowed.has(el.tagName)) bad.push(`<${el.tagName}>`);
        for (const attr of el.getAttributeNames())
          if (/^on|^href$|^src|^style$|^srcdoc$|^formaction$/i.test(attr) && !(attr === 'style' && el.closest('code'))) bad.push(`${el.tagName} ${attr}`);
      }
      const links = [...log.querySelectorAll('.md-link')].map((el) => el.getAttribute('data-href') ?? '');
      return { bad, links };
    });
  }

  it('looks right in dark and light themes (screenshots)', async () => {
    const text =
      '### Deploy checklist\n- [x] **build** green\n- [ ] tell @alice in #deploys\n\nSee [the runbook](https://wiki.example/runbook) and `npm run deploy`:\n```ts\n// retry with backoff\nexport async function deploy(target: string): Promise<void> {\n  const tries = 3;\n  await run(`deploy ${target}`, { tries });\n}\n```';
    await show([message('shot', text, { mentions: [{ text: '@alice', self: true }] })], fallbackCodeTheme('dark'));
    await chat.waitForPosted((m) => m.type === 'load-grammar' && m.language === 'typescript');
    await chat.send(grammarReply('typescript'));
    await row('shot').locator('pre code span').first().waitFor();
    await chat.setTheme(DARK);
    await chat.screenshot('rich-text-dark');
    await chat.setTheme(LIGHT);
    await chat.send({ type: 'code-theme', theme: fallbackCodeTheme('light') });
    await chat.screenshot('rich-text-light');
  });
});
