import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLinkPorts, RepositoryInfo, resolveCodeLink, resolveLocation } from '../../../src/extension/gitCodeLinks';
import { CodeLink, linesOf, snippetHash } from '../../../src/model/code/codeLink';
import { TOTAL_FUNCTION } from '../helpers/totalSource';

const KEY = 'github.com/team/app';
const HEAD = 'a'.repeat(40);
/** The function at lines 3-7. */
const SOURCE = ['import { b } from "./b";', '', ...TOTAL_FUNCTION, ''].join('\n');

describe('code links resolved in the receiver’s workspace (real folders)', () => {
  let base: string;
  let app: string;
  let repositories: RepositoryInfo[];
  let found: string[];

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const ports = (folders: () => string[] = () => [app]): CodeLinkPorts => ({
    workspaceFolders: folders,
    repositories: () => Promise.resolve(repositories),
    readText: (file) => fs.promises.readFile(file, 'utf8').catch(() => undefined),
    realPath: (file) => fs.promises.realpath(file).catch(() => undefined),
    findFiles: () => Promise.resolve(found),
  });
  const link = (fields: Partial<CodeLink> = {}): CodeLink => ({
    repositories: [KEY],
    commit: HEAD,
    path: 'src/total.ts',
    startLine: 3,
    endLine: 7,
    snippetHash: snippetHash(linesOf(SOURCE, 3, 7)!),
    ...fields,
  });
  const snippet = linesOf(SOURCE, 3, 7)!;

  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-links-')));
    app = path.join(base, 'ws', 'app');
    write(path.join(app, 'src', 'total.ts'), SOURCE);
    write(path.join(base, 'outside', 'secret.txt'), 'secret\n');
    repositories = [{ root: app, keys: [KEY, 'github.com/alice/app'], head: HEAD }];
    found = [];
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('opens the same lines when the receiver’s copy reads the same (by hash)', async () => {
    const target = await resolveCodeLink(link(), snippet, ports());
    assert.deepEqual(
      { ...target, text: undefined },
      { kind: 'lines', file: path.join(app, 'src', 'total.ts'), text: undefined, startLine: 3, endLine: 7, moved: false, checked: 'hash' },
    );
  });

  it('lands on the moved lines after lines were added above them', async () => {
    write(path.join(app, 'src', 'total.ts'), `// licence\n// header\n${SOURCE}`);
    const target = await resolveCodeLink(link(), snippet, ports());
    assert.equal(target.kind, 'lines');
    assert.deepEqual(target.kind === 'lines' && [target.startLine, target.endLine, target.moved, target.checked], [5, 9, true, 'exact']);
  });

  it('says the file differs when the lines are gone, so the snippet is shown beside it', async () => {
    write(path.join(app, 'src', 'total.ts'), SOURCE.replace('let sum = 0;', 'let sum = 1;').replace('return sum;', 'return sum * 2;'));
    const target = await resolveCodeLink(link(), snippet, ports());
    assert.deepEqual(target.kind === 'differs' && [target.startLine, target.endLine], [3, 7]);
    const withoutSnippet = await resolveCodeLink(link(), undefined, ports());
    assert.equal(withoutSnippet.kind, 'differs', 'the hash alone tells the lines changed');
  });

  it('finds the repository by any shared remote key, not by folder name', async () => {
    const fork = await resolveCodeLink(link({ repositories: ['github.com/alice/app'] }), snippet, ports());
    assert.equal(fork.kind, 'lines');
    const other = await resolveCodeLink(link({ repositories: ['github.com/carol/other'] }), snippet, ports());
    assert.deepEqual(other, { kind: 'snippet', reason: 'no checkout of github.com/carol/other is open in this window' });
  });

  it('prefers the checkout at the link’s commit when the repository is open twice', async () => {
    const second = path.join(base, 'ws', 'app-main');
    write(path.join(second, 'src', 'total.ts'), SOURCE);
    repositories = [
      { root: app, keys: [KEY], head: 'b'.repeat(40) },
      { root: second, keys: [KEY], head: HEAD },
    ];
    const target = await resolveCodeLink(
      link(),
      snippet,
      ports(() => [app, second]),
    );
    assert.equal(target.kind === 'lines' && target.file, path.join(second, 'src', 'total.ts'));
  });

  it('never opens a file outside the workspace folders, through a symbolic link or a wider repository', async () => {
    fs.symlinkSync(path.join(base, 'outside'), path.join(app, 'escape'));
    const through = await resolveCodeLink(link({ path: 'escape/secret.txt', snippetHash: undefined }), 'secret', ports());
    assert.equal(through.kind, 'snippet');
    // The workspace folder is part of a repository: files of the repository beyond it stay closed.
    const sub = path.join(base, 'outside', 'sub');
    write(path.join(sub, 'x.ts'), 'x\n');
    repositories = [{ root: path.join(base, 'outside'), keys: [KEY] }];
    const wider = await resolveCodeLink(
      link({ path: 'secret.txt', snippetHash: undefined }),
      'secret',
      ports(() => [sub]),
    );
    assert.equal(wider.kind, 'snippet');
    const inside = await resolveCodeLink(
      link({ path: 'sub/x.ts', snippetHash: undefined, startLine: 1, endLine: 1 }),
      'x',
      ports(() => [sub]),
    );
    assert.equal(inside.kind, 'lines');
  });

  it('opens a link without a repository below the workspace folders, multi-root names included', async () => {
    const plain = link({ repositories: [], commit: undefined });
    assert.equal((await resolveCodeLink(plain, snippet, ports())).kind, 'lines');
    const named = await resolveCodeLink({ ...plain, path: 'app/src/total.ts' }, snippet, ports());
    assert.equal(named.kind === 'lines' && named.file, path.join(app, 'src', 'total.ts'));
  });

  it('opens a typed path:line at its line, kept within the file', async () => {
    const typed = await resolveCodeLink({ repositories: [], path: 'src/total.ts', startLine: 500, endLine: 500 }, undefined, ports());
    assert.deepEqual(typed.kind === 'lines' && [typed.startLine, typed.checked], [8, 'unchecked']);
  });

  it('says why when no folder is open or the file is missing', async () => {
    assert.deepEqual(
      await resolveCodeLink(
        link(),
        snippet,
        ports(() => []),
      ),
      { kind: 'snippet', reason: 'no folder is open in this window' },
    );
    assert.deepEqual(await resolveCodeLink(link({ path: 'src/missing.ts' }), snippet, ports()), {
      kind: 'snippet',
      reason: 'src/missing.ts is not in your checkout',
    });
  });

  it('places stack-trace paths from the sender’s machine in this workspace, and nowhere else', async () => {
    const file = path.join(app, 'src', 'total.ts');
    assert.deepEqual(await resolveLocation({ path: '/home/bob/work/app/src/total.ts', line: 4, column: 9 }, ports()), { file, line: 4, column: 9 });
    assert.deepEqual(await resolveLocation({ path: 'C:\\Users\\bob\\app\\src\\total.ts', line: 4 }, ports()), { file, line: 4 });
    assert.deepEqual(await resolveLocation({ path: `${app}/src/total.ts`, line: 1 }, ports()), { file, line: 1 });
    assert.equal(await resolveLocation({ path: path.join(base, 'outside', 'secret.txt'), line: 1 }, ports()), undefined);
    assert.equal(await resolveLocation({ path: '../../outside/secret.txt', line: 1 }, ports()), undefined);
    assert.equal(await resolveLocation({ path: '/etc/passwd', line: 1 }, ports()), undefined);
  });

  it('finds a Java file by its package tail, refusing a find outside the workspace', async () => {
    const java = path.join(app, 'src', 'main', 'java', 'com', 'example', 'Foo.java');
    write(java, 'class Foo {}\n');
    found = [path.join(base, 'outside', 'secret.txt'), java];
    assert.deepEqual(await resolveLocation({ path: 'com/example/Foo.java', line: 1 }, ports()), { file: java, line: 1 });
  });
});
