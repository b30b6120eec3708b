#!/usr/bin/env node
// `npm run test:e2e [-- <mocha args, e.g. --grep smoke>]`: build and package the .vsix, prepare the
// cached VS Code host (first time only), compile the e2e tests, run them with mocha. Prints the time of
// each step.
//
// A Node script rather than an `a && b && c` npm script: with `sh -c` in between, a SIGTERM to npm
// (a CI timeout) ended npm and left mocha, code-server and Chromium running (npm forwards the signal
// to its `sh -c`, which does not pass it on). Here the signal goes to the step that is running (mocha's
// harness then closes the browser and code-server) and no later step starts. package.json runs this
// with `exec node scripts/e2e/run.js` so that npm's child *is* this process and the forwarded signal
// arrives; if npm itself is killed outright, this process notices it was orphaned and stops the same way.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const mochaArgs = process.argv.slice(2);

const steps = [
  ['package the extension', 'npm', ['run', 'package']],
  ['prepare the VS Code host', process.execPath, [path.join(__dirname, 'prepareHost.js')]],
  ['compile the e2e tests', process.execPath, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', 'test/e2e']],
  ['run the e2e tests', process.execPath, [require.resolve('mocha/bin/mocha.js', { paths: [ROOT] }), '--config', 'test/e2e/.mocharc.json', ...mochaArgs]],
];

let current;
let stoppedBy;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stoppedBy) console.error(`\n[e2e] ${signal}: stopping (no further steps)`);
    stoppedBy = stoppedBy || signal;
    if (current && current.exitCode === null) current.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}

// Orphaned (npm, or whoever started us, was killed without passing a signal on): stop like on SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.emit('SIGTERM', 'SIGTERM');
}, 1000).unref();

function runStep(cmd, args) {
  return new Promise((resolve) => {
    current = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' });
    current.on('error', (err) => {
      console.error(`[e2e] could not start ${cmd}: ${err.message}`);
      resolve(1);
    });
    current.on('exit', (code, signal) => resolve(code === null ? (signal === 'SIGINT' ? 130 : 143) : code));
  });
}

async function main() {
  const t0 = Date.now();
  const timings = [];
  for (const [name, cmd, args] of steps) {
    if (stoppedBy) break;
    const t = Date.now();
    console.log(`\n[e2e] ${name} ...`);
    // A fresh out-e2e/: a scenario deleted or renamed in test/e2e must not run on from an old build.
    if (name === 'compile the e2e tests') fs.rmSync(path.join(ROOT, 'out-e2e'), { recursive: true, force: true });
    const code = await runStep(cmd, args);
    timings.push(`${name}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (code !== 0 || stoppedBy) {
      console.error(`[e2e] "${name}" ${stoppedBy ? `stopped by ${stoppedBy}` : `failed (exit ${code})`}`);
      console.log(`[e2e] timings: ${timings.join(', ')}`);
      process.exit(stoppedBy ? (stoppedBy === 'SIGINT' ? 130 : 143) : code || 1);
    }
  }
  console.log(`[e2e] timings: ${timings.join(', ')}; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main();
