import { strict as assert } from 'node:assert';
import * as path from 'path';
import { GRAMMARS, grammarFor, isGrammarName, vscodeLanguageFor } from '../../../src/views/codeLanguages';
import { fallbackCodeTheme } from '../../../src/views/codeThemeFallback';
import { FromWebview } from '../../../src/views/chatProtocol';
import { isInside, linkTarget } from '../../../src/views/linkTargets';
import { cleanRules, customizationRules, loadThemeRules, parseJsonc } from '../../../src/views/themeFiles';

/**
 * The extension's side of formatted messages, without VS Code: which links it follows (the
 * webview's word is not taken), how a theme's token colours are read from its files, and the
 * language names code blocks use.
 */
describe('formatted messages: links, theme files, languages', function () {
  describe('linkTarget', () => {
    it('takes http(s) and mailto as external addresses', () => {
      assert.deepEqual(linkTarget('https://example.com/a?b=1#c'), { kind: 'external', url: 'https://example.com/a?b=1#c' });
      assert.deepEqual(linkTarget('HTTP://Example.com'), { kind: 'external', url: 'http://example.com/' });
      assert.deepEqual(linkTarget('mailto:bob@example.com'), { kind: 'external', url: 'mailto:bob@example.com' });
    });

    it('refuses every other scheme, protocol-relative and anchor links, and hidden characters', () => {
      for (const href of [
        'javascript:alert(1)',
        'JavaScript:alert(1)',
        'data:text/html,hi',
        'command:workbench.action.quit',
        'vscode://file/etc/passwd',
        'file:///etc/passwd',
        'vbscript:x',
        '//attacker.example/x',
        '\\\\server\\share',
        '#top',
        'java\nscript:alert(1)',
        'java%0ascript:alert(1)',
        'https:',
        '',
        'a b',
      ]) {
        assert.equal(linkTarget(href), undefined, href);
      }
    });

    it('takes relative and rooted paths as workspace paths, with lines from #L or :line', () => {
      assert.deepEqual(linkTarget('src/net/backoff.ts#L42'), { kind: 'workspace', relative: 'src/net/backoff.ts', line: 42 });
      assert.deepEqual(linkTarget('./src/a.ts#L3-L9'), { kind: 'workspace', relative: 'src/a.ts', line: 3, endLine: 9 });
      assert.deepEqual(linkTarget('/README.md'), { kind: 'workspace', relative: 'README.md' });
      assert.deepEqual(linkTarget('src/a.ts:12:5'), { kind: 'workspace', relative: 'src/a.ts', line: 12 });
      assert.deepEqual(linkTarget('docs/My%20Notes.md'), { kind: 'workspace', relative: 'docs/My Notes.md' });
      assert.deepEqual(linkTarget('src/../lib/x.js'), { kind: 'workspace', relative: 'lib/x.js' });
    });

    it('refuses paths that climb out of the folder they are resolved in', () => {
      for (const href of ['../secrets.txt', 'src/../../etc/passwd', '%2e%2e/x', '..', '.', 'c:/windows/win.ini', 'a/%00b']) {
        assert.equal(linkTarget(href), undefined, href);
      }
    });

    it('isInside: a real path is inside its root only strictly below it', () => {
      const root = path.resolve('/work/project');
      assert.equal(isInside(root, path.join(root, 'src', 'a.ts')), true);
      assert.equal(isInside(root, root), false);
      assert.equal(isInside(root, path.resolve('/work/project-other/a.ts')), false);
      assert.equal(isInside(root, path.resolve('/work/a.ts')), false);
    });
  });

  describe('theme files', () => {
    const files: Record<string, string> = {
      '/t/child.json': `{
        // a comment, and a trailing comma below
        "include": "./parent.json",
        "colors": { "editor.foreground": "#112233", },
        "tokenColors": [
          { "scope": "string", "settings": { "foreground": "#00ff00" } },
          { "scope": ["comment", "punctuation.definition.comment"], "settings": { "foreground": "#0000ff", "fontStyle": "italic" } },
          { "scope": "bad", "settings": { "foreground": "red; background: url(x)" } },
          { "scope": 42, "settings": { "foreground": "#ffffff" } },
        ],
      }`,
      '/t/parent.json': `{ "colors": { "editor.background": "#000000" }, /* block */ "tokenColors": [{ "settings": { "foreground": "#cccccc" } }, { "scope": "string", "settings": { "foreground": "#ff0000" } }] }`,
      '/t/loop.json': `{ "include": "./loop.json" }`,
      '/t/split.json': `{ "tokenColors": "./colors.json" }`,
      '/t/colors.json': `{ "tokenColors": [{ "scope": "keyword", "settings": { "foreground": "#abcdef" } }] }`,
    };
    const read = async (file: string) => {
      const text = files[file.replace(/\\/g, '/').replace(/^[a-z]:/i, '')];
      if (text === undefined) throw new Error(`no ${file}`);
      return text;
    };

    it('parses JSON with comments and trailing commas, leaving "//" inside strings alone', () => {
      assert.deepEqual(parseJsonc('{ "a": "http://x//y", /* c */ "b": [1, 2,], // d\n }'), { a: 'http://x//y', b: [1, 2] });
    });

    it('reads a theme with its parent: the parent’s rules first, the child’s after (they win), colours from either', async () => {
      const theme = await loadThemeRules(path.resolve('/t/child.json'), read);
      assert.deepEqual(theme.rules, [
        { settings: { foreground: '#cccccc' } },
        { scope: 'string', settings: { foreground: '#ff0000' } },
        { scope: 'string', settings: { foreground: '#00ff00' } },
        { scope: ['comment', 'punctuation.definition.comment'], settings: { foreground: '#0000ff', fontStyle: 'italic' } },
      ]);
      assert.equal(theme.fg, '#112233');
      assert.equal(theme.bg, '#000000');
    });

    it('follows tokenColors kept in a file of their own', async () => {
      const theme = await loadThemeRules(path.resolve('/t/split.json'), read);
      assert.deepEqual(theme.rules, [{ scope: 'keyword', settings: { foreground: '#abcdef' } }]);
    });

    it('stops at themes that include each other', async () => {
      await assert.rejects(loadThemeRules(path.resolve('/t/loop.json'), read), /too deeply/);
    });

    it('keeps only rules with #hex colours and known shapes', () => {
      assert.deepEqual(
        cleanRules([{ scope: 'a', settings: { foreground: 'expression(alert(1))' } }, { scope: 'b', settings: { fontStyle: 'bold' } }, null, 'x']),
        [{ scope: 'b', settings: { fontStyle: 'bold' } }],
      );
    });

    it('adds the user’s editor.tokenColorCustomizations, the theme’s own block last', () => {
      const rules = customizationRules(
        { comments: '#111111', '[My Theme]': { textMateRules: [{ scope: 'string', settings: { foreground: '#222222' } }] }, '[Other]': { strings: '#333333' } },
        'My Theme',
      );
      assert.deepEqual(rules, [
        { scope: ['comment', 'punctuation.definition.comment'], settings: { foreground: '#111111' } },
        { scope: 'string', settings: { foreground: '#222222' } },
      ]);
    });

    it('falls back to Dark+ or Light+ colours of the active kind', () => {
      assert.equal(fallbackCodeTheme('dark').name, 'Dark+');
      assert.equal(fallbackCodeTheme('hc-light').name, 'Light+');
      assert.equal(fallbackCodeTheme('hc-dark').bg, '#000000');
      assert.ok(fallbackCodeTheme('light').tokenColors.every((rule) => /^#[0-9a-f]{6}$/i.test(rule.settings.foreground ?? '')));
    });
  });

  describe('code languages', () => {
    it('maps fence labels and VS Code ids to grammars, and grammars to VS Code ids', () => {
      assert.equal(grammarFor('TS'), 'typescript');
      assert.equal(grammarFor('c++'), 'cpp');
      assert.equal(grammarFor('typescriptreact'), 'tsx');
      assert.equal(grammarFor('brainfuck'), undefined);
      assert.equal(vscodeLanguageFor('tsx'), 'typescriptreact');
      assert.equal(vscodeLanguageFor('sh'), 'shellscript');
      assert.equal(vscodeLanguageFor('nonsense'), 'plaintext');
      assert.ok(GRAMMARS.every(isGrammarName));
      assert.equal(isGrammarName('__proto__'), false);
    });
  });

  describe('what the webview may ask', () => {
    it('parses open-link, copy-text, open-snippet and load-grammar, bounded, with nothing extra', () => {
      assert.ok(FromWebview.safeParse({ type: 'open-link', href: 'https://x.example' }).success);
      assert.ok(!FromWebview.safeParse({ type: 'open-link', href: 'x'.repeat(8193) }).success);
      assert.ok(!FromWebview.safeParse({ type: 'open-link', href: 'https://x.example', command: 'x' }).success);
      assert.ok(FromWebview.safeParse({ type: 'open-snippet', language: 'ts', text: 'let x;' }).success);
      assert.ok(!FromWebview.safeParse({ type: 'copy-text', text: '' }).success);
      assert.ok(!FromWebview.safeParse({ type: 'load-grammar', language: 'x'.repeat(65) }).success);
    });
  });
});
