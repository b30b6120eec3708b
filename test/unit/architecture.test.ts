import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The layout's rules, checked on every source file's imports: dependencies go one way down
 * (protocol → client → model → views; the relay beside the client on the protocol; the
 * composition root on top and imported by nothing), with no cycle between folders.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The folder a file belongs to for these rules. */
function unitOf(file: string): string {
  const rel = path.relative(path.join(ROOT, 'src'), file).split(path.sep).join('/');
  if (rel === 'extension.ts' || rel.startsWith('extension/')) return 'extension';
  if (rel.startsWith('views/webview/')) return 'webview';
  if (rel.startsWith('server/io/')) return 'server/io';
  for (const unit of ['net/protocol', 'net/client', 'net/transfer', 'server', 'model/code', 'model/text', 'model', 'views', 'cli']) {
    if (rel.startsWith(`${unit}/`)) return unit;
  }
  if (rel.startsWith('net/')) return 'net';
  throw new Error(`no unit for ${rel}`);
}

/** What each folder may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  'net/protocol': [],
  net: ['net/protocol'],
  'net/transfer': ['net/protocol', 'net'],
  'net/client': ['net/protocol', 'net', 'net/transfer'],
  'server/io': ['net/protocol', 'net'],
  server: ['net/protocol', 'net', 'server/io'],
  // Pure code-aware functions (issue 28: diffs, patches, code links, stack traces): the CLI uses them too.
  'model/code': [],
  // Pure text functions (markdown as plain text for terminals, notifications, previews): the CLI uses them too.
  'model/text': [],
  model: ['net/protocol', 'net', 'net/client', 'net/transfer', 'model/code', 'model/text'],
  webview: ['net/protocol', 'model', 'model/code', 'model/text', 'views'],
  views: ['net/protocol', 'net', 'net/client', 'net/transfer', 'model', 'model/code', 'model/text'],
  cli: ['net/protocol', 'net', 'net/client', 'net/transfer', 'server', 'model/code', 'model/text'],
  extension: ['net/protocol', 'net', 'net/client', 'net/transfer', 'server', 'model', 'model/code', 'model/text', 'views'],
};

/** Folders whose code runs in plain Node (or the browser) and never sees `vscode`. */
const NO_VSCODE = ['net/protocol', 'net', 'net/transfer', 'net/client', 'server', 'server/io', 'model/code', 'model/text', 'model', 'webview', 'cli'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gm)) {
    const spec = m[3];
    if (spec === 'vscode') found.push({ from: file, to: 'vscode', typeOnly: !!m[2] });
    if (!spec.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), spec);
    found.push({ from: file, to: fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts'), typeOnly: !!m[2] });
  }
  return found;
}

describe('architecture: one way down', () => {
  const files = sourceFiles(path.join(ROOT, 'src'));
  const imports = files.flatMap(importsOf);
  const rel = (f: string) => path.relative(ROOT, f);

  it('finds the sources and their imports', () => {
    assert.ok(files.length > 80, `${files.length} files`);
    assert.ok(imports.length > 300, `${imports.length} imports`);
  });

  it('each folder imports only the folders below it', () => {
    const wrong = imports
      .filter((i) => i.to !== 'vscode')
      .filter((i) => unitOf(i.from) !== unitOf(i.to) && !ALLOWED[unitOf(i.from)].includes(unitOf(i.to)))
      .map((i) => `${rel(i.from)} (${unitOf(i.from)}) imports ${rel(i.to)} (${unitOf(i.to)})`);
    assert.deepEqual(wrong, []);
  });

  it('no cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      if (i.to === 'vscode' || unitOf(i.from) === unitOf(i.to)) continue;
      const set = edges.get(unitOf(i.from)) ?? new Set<string>();
      set.add(unitOf(i.to));
      edges.set(unitOf(i.from), set);
    }
    const cycles: string[] = [];
    const visit = (unit: string, trail: string[]) => {
      if (trail.includes(unit)) return cycles.push([...trail.slice(trail.indexOf(unit)), unit].join(' → '));
      for (const next of edges.get(unit) ?? []) visit(next, [...trail, unit]);
    };
    for (const unit of edges.keys()) visit(unit, []);
    assert.deepEqual([...new Set(cycles)], []);
  });

  it('nothing imports the composition root', () => {
    const wrong = imports.filter((i) => i.to !== 'vscode' && unitOf(i.to) === 'extension' && unitOf(i.from) !== 'extension');
    assert.deepEqual(
      wrong.map((i) => `${rel(i.from)} imports ${rel(i.to)}`),
      [],
    );
  });

  it("the relay's I/O tuning is imported by the relay alone", () => {
    const wrong = imports.filter((i) => i.to !== 'vscode' && unitOf(i.to) === 'server/io' && !['server', 'server/io'].includes(unitOf(i.from)));
    assert.deepEqual(
      wrong.map((i) => `${rel(i.from)} imports ${rel(i.to)}`),
      [],
    );
  });

  it('net, server, model, cli and the webview never import vscode', () => {
    const wrong = imports.filter((i) => i.to === 'vscode' && NO_VSCODE.includes(unitOf(i.from)));
    assert.deepEqual(
      wrong.map((i) => rel(i.from)),
      [],
    );
  });

  it('no source file over ~400 lines without a stated reason', () => {
    const bench = sourceFiles(path.join(ROOT, 'bench')).filter((f) => !f.includes(`${path.sep}tmp${path.sep}`));
    const long = [...files, ...bench]
      .map((f) => ({ file: rel(f), text: fs.readFileSync(f, 'utf8') }))
      .filter(({ text }) => text.split('\n').length > 420 && !/Longer than 400 lines because /.test(text))
      .map(({ file, text }) => `${file}: ${text.split('\n').length} lines`);
    assert.deepEqual(long, [], 'split the file, or say in its header comment "Longer than 400 lines because …"');
  });

  it('the rules catch a wrong import', () => {
    assert.equal(unitOf(path.join(ROOT, 'src/net/protocol/frame.ts')), 'net/protocol');
    assert.ok(!ALLOWED['net/protocol'].includes('net/client'), 'the protocol may not import the client');
    assert.ok(!ALLOWED.views.includes('extension'), 'views may not import the composition root');
    assert.ok(!ALLOWED.model.includes('views'), 'the model may not import views');
    assert.ok(!ALLOWED.server.includes('net/client'), 'the relay does not import the client');
  });
});
