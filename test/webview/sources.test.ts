import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

/**
 * What the webview script may and may not contain, checked on its sources and on the bundle:
 * only type imports from the extension side (so no zod or Node code in the page), and no
 * HTML parsing sinks (so peer text can only ever become text).
 */
const ROOT = path.resolve(__dirname, '..', '..');
/** What esbuild.js writes for the page: the first screen's script and the two it imports later. */
const BUNDLES = ['webview.js', 'webview-formatter.js', 'webview-emoji.js'];
const SRC = path.join(ROOT, 'src', 'views', 'webview');
const sources = fs
  .readdirSync(SRC)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(SRC, f), 'utf8') }));

describe('webview sources', () => {
  it('import only types from outside src/views/webview', () => {
    // Browser libraries the page is built on, and extension-side modules that are pure data with no
    // imports (fileLocations: the path:line finder of issue 28, pure functions, no imports either).
    const allowed = new Set([
      'markdown-it',
      '@shikijs/core',
      '@shikijs/engine-javascript/raw',
      'oniguruma-to-es',
      '../codeLanguages',
      '../../model/code/fileLocations',
      // markdown as plain text (the CLI's and notifications'), for search hits: in the formatter's bundle.
      '../../model/text/markdownText',
    ]);
    for (const { file, text } of sources) {
      for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
        const from = m[2]!;
        if (from.startsWith('./') || allowed.has(from)) continue;
        assert.ok(m[1], `${file}: \`${m[0]}\` must be \`import type\``);
      }
    }
  });

  it('use no HTML or code parsing sinks', () => {
    const sinks = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval|Function|setAttribute\(\s*'on)\b|\.srcdoc\s*=/;
    for (const { file, text } of sources) {
      const hit = text.split('\n').find((line) => sinks.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//'));
      assert.strictEqual(hit, undefined, `${file}: ${hit}`);
    }
  });

  it('the bundles (the script, the formatter, the emoji set) hold no zod and no Node built-ins', () => {
    const bundle = BUNDLES.map((f) => fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8')).join('\n');
    // A word, not a part of one: the emoji set's keywords say "zodiac". Comments (linkify-it's
    // documentation shows a require()) are not code.
    const code = bundle
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join('\n');
    assert.doesNotMatch(code, /\bzod\b|ZodType|require\(/);
  });

  it('the first screen’s script holds no library and no emoji set, and imports nothing before it runs', () => {
    const script = fs.readFileSync(path.join(ROOT, 'dist', 'webview.js'), 'utf8');
    assert.doesNotMatch(script, /^\/\/ node_modules\//m, 'a library in dist/webview.js');
    assert.doesNotMatch(script, /grinning face/, 'the emoji set in dist/webview.js');
    assert.doesNotMatch(script, /^import\b/m, 'a static import');
    assert.match(script, /import\("\.\/webview-formatter\.js"\)/);
    assert.match(script, /import\("\.\/webview-emoji\.js"\)/);
  });
});
