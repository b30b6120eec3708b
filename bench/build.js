// Bundles the benchmark (bench/*.ts and the src/ modules it uses) into out-bench/.
// Third-party packages (mqtt, aedes, hdr-histogram-js, playwright-core) stay in node_modules.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

// W8 serves the built webview with test/webview's own server, which finds the repository from
// its own folder (__dirname): in the bundle that folder must stay the source's, not out-bench/.
const sourceDirname = {
  name: 'source-dirname',
  setup(build) {
    build.onLoad({ filter: /[\\/]test[\\/]webview[\\/][^\\/]+\.ts$/ }, async (args) => ({
      contents: (await fs.promises.readFile(args.path, 'utf8')).replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))),
      loader: 'ts',
    }));
  },
};

esbuild
  .build({
    entryPoints: ['main.ts', 'loadgen.ts', 'sut.ts', 'historyFlood.ts', 'relayCli.ts', 'sendPathCost.ts', 'sendPathAB.ts', 'pairedRuns.ts'].map((f) =>
      path.join(__dirname, f),
    ),
    outdir: path.join(__dirname, '..', 'out-bench'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    packages: 'external',
    logLevel: 'warning',
    plugins: [sourceDirname],
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
