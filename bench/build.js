// Bundles the benchmark (bench/*.ts and the src/ modules it uses) into out-bench/.
// Third-party packages (mqtt, aedes, hdr-histogram-js) stay in node_modules.
const esbuild = require('esbuild');
const path = require('path');

esbuild
  .build({
    entryPoints: ['main.ts', 'loadgen.ts', 'sut.ts'].map((f) => path.join(__dirname, f)),
    outdir: path.join(__dirname, '..', 'out-bench'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    packages: 'external',
    logLevel: 'warning',
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
