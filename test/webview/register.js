// Lets mocha run this folder's TypeScript without a separate compile step: each .ts file is
// transpiled by esbuild when required (types only stripped; `tsc -p .` checks them, since the
// root tsconfig includes test/**/*.ts).
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');

require.extensions['.ts'] = (module, filename) => {
  const { code } = esbuild.transformSync(fs.readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: filename,
  });
  module._compile(code, filename);
};
