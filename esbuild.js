// Bundles the extension, the command-line tool and the chat webview's script.
// One build for all so the relay that runs inside VS Code is byte-for-byte the one the CLI runs.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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
    // The chat webview's script: runs in the webview's browser page, not in Node.
    entryPoints: ['src/views/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
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

async function main() {
  copyCodicons();
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
