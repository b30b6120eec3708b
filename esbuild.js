// Bundles the extension, the command-line tool and the chat webview's script.
// One build for all so the relay that runs inside VS Code is byte-for-byte the one the CLI runs.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');
const { emojiTable } = require('./scripts/emojiTable');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * The webview's three bundles load one another by URL, side by side in dist/: an import of one of
 * these sources becomes an import of that file (external), not a copy of it.
 */
function webviewBundles(files) {
  return {
    name: 'webview-bundles',
    setup(build) {
      build.onResolve({ filter: /^\.\/(formatter|emojiData)$/ }, (args) => (files[args.path] ? { path: files[args.path], external: true } : undefined));
    },
  };
}

/** What the webview's bundles share: browser ES modules (the document loads dist/webview.js as one). */
const webview = { platform: 'browser', format: 'esm', target: 'es2022' };

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The chat webview's script: runs in the webview's browser page, not in Node. An ES module that
    // draws the first screen; what formats messages (markdown-it, shiki) and the emoji set are
    // bundles of their own that it imports after the first paint (formatting.ts, emojiSet.ts).
    entryPoints: ['src/views/webview/main.ts'],
    outfile: 'dist/webview.js',
    ...webview,
    plugins: [webviewBundles({ './formatter': './webview-formatter.js', './emojiData': './webview-emoji.js' })],
  },
  {
    entryPoints: ['src/views/webview/formatter.ts'],
    outfile: 'dist/webview-formatter.js',
    ...webview,
    plugins: [webviewBundles({ './emojiData': './webview-emoji.js' })],
  },
  {
    entryPoints: ['src/views/webview/emojiData.ts'],
    outfile: 'dist/webview-emoji.js',
    ...webview,
    // The emoji set, trimmed at build time (scripts/emojiTable.js); src/views/webview/emojiData.ts
    // reads it. As a JSON string: JSON.parse reads it faster than an object literal.
    define: { TEAM_MESSENGER_EMOJI: JSON.stringify(JSON.stringify(emojiTable())) },
  },
];

/** The webview's icon font: @vscode/codicons' stylesheet and font, next to the bundles. */
function copyCodicons() {
  const from = path.join(path.dirname(require.resolve('@vscode/codicons/package.json')), 'dist');
  const to = path.join(__dirname, 'dist', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}

/**
 * The code-block grammars, one JSON file per language in dist/grammars/ (each with the grammars
 * it embeds): the extension hands the webview a grammar the first time a message needs it, so the
 * webview bundle carries none of them.
 */
async function writeGrammars() {
  // Precompiled: the grammars' Oniguruma patterns already turned into JavaScript RegExps (an
  // EmulatedRegExp where a feature needs emulating), so the webview converts nothing at run time.
  // JSON has no RegExp: each goes as { $re, flags, opts } and highlight.ts makes it again.
  const listing = esbuild.buildSync({ entryPoints: ['src/views/codeLanguages.ts'], bundle: true, format: 'cjs', write: false, logLevel: 'warning' });
  const exported = { exports: {} };
  new Function('module', 'exports', listing.outputFiles[0].text)(exported, exported.exports);
  const to = path.join(__dirname, 'dist', 'grammars');
  fs.mkdirSync(to, { recursive: true });
  for (const name of exported.exports.GRAMMARS) {
    const { default: grammars } = await import(`@shikijs/langs-precompiled/${name}`);
    const unique = [...new Map(grammars.map((grammar) => [grammar.name, grammar])).values()];
    fs.writeFileSync(path.join(to, `${name}.json`), JSON.stringify(unique, regExpAsData));
  }
}

function regExpAsData(key, value) {
  if (!(value instanceof RegExp)) return value;
  return value.rawOptions ? { $re: value.source, flags: value.flags, opts: value.rawOptions } : { $re: value.source, flags: value.flags };
}

async function main() {
  copyCodicons();
  await writeGrammars();
  const contexts = await Promise.all(
    targets.map((options) =>
      esbuild.context({
        bundle: true,
        target: 'node20',
        sourcemap: !production,
        minify: production,
        logLevel: 'warning',
        ...options,
      }),
    ),
  );
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
    return;
  }
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
