import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeLinkPorts, RepositoryInfo, resolveCodeLink } from '../../../src/extension/gitCodeLinks';
import { textLinksFor } from '../../../src/extension/textCodeLinks';
import { sentLinkFor } from '../../../src/model/code/textLinks';
import { snippetHash } from '../../../src/model/code/codeLink';
import { findFileLocations } from '../../../src/model/code/fileLocations';
import { CodeLimits, TextLink } from '../../../src/net/protocol/codeMessages';
import { TOTAL_FUNCTION } from '../helpers/totalSource';

const KEY = 'github.com/team/app';
const HEAD = 'a'.repeat(40);
const SOURCE = ['import { b } from "./b";', '', ...TOTAL_FUNCTION, ''].join('\n');

/** Typed `path:line`s (issue 28): the sender attaches where they point, the receiver opens them through that. */
describe('typed path:line links that carry their repository (sender and receiver)', () => {
  let base: string;
  let bobApp: string;
  let aliceApp: string;
  let repositories: RepositoryInfo[];

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  const ports = (folders: string[]): CodeLinkPorts => ({
    workspaceFolders: () => folders,
    repositories: () => Promise.resolve(repositories),
    readText: (file) => fs.promises.readFile(file, 'utf8').catch(() => undefined),
    realPath: (file) => fs.promises.realpath(file).catch(() => undefined),
  });

  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tm-text-links-')));
    bobApp = path.join(base, 'bob', 'checkout');
    aliceApp = path.join(base, 'alice', 'work', 'app-clone');
    write(path.join(bobApp, 'src', 'total.ts'), SOURCE);
    write(path.join(bobApp, 'notes', 'plain.md'), 'one\ntwo\n');
    write(path.join(base, 'bob', 'outside.ts'), 'secret\n');
    repositories = [{ root: bobApp, keys: [KEY], head: HEAD }];
  });

  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('attaches repository, commit, repository path and line hash for each path:line that is a file here', async () => {
    const absolute = path.join(bobApp, 'src', 'total.ts');
    const text = `see src/total.ts:4, again src/total.ts:4, ${absolute}:6:3, gone.ts:3, ../outside.ts:1 and example.com:443`;
    const links = await textLinksFor(text, ports([bobApp]));
    const lines = SOURCE.split('\n');
    assert.deepEqual(links, [
      { written: 'src/total.ts', line: 4, repositories: [KEY], commit: HEAD, path: 'src/total.ts', snippetHash: snippetHash(lines[3]!) },
      { written: absolute, line: 6, repositories: [KEY], commit: HEAD, path: 'src/total.ts', snippetHash: snippetHash(lines[5]!) },
    ]);
    for (const link of links) assert.ok(TextLink.safeParse(link).success, 'each link passes the protocol schema');
  });

  it('sends a path from the workspace folder without a repository outside git, and none for plain text', async () => {
    repositories = [];
    assert.deepEqual(await textLinksFor('look at notes/plain.md:2', ports([bobApp])), [
      { written: 'notes/plain.md', line: 2, path: 'notes/plain.md', snippetHash: snippetHash('two') },
    ]);
    assert.deepEqual(await textLinksFor('lunch at 12:30? ok: 3 of us', ports([bobApp])), []);
  });

  it('attaches at most CodeLimits.textLinks links to one message', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `src/total.ts:${i + 1}`).join('\n');
    const links = await textLinksFor(text, ports([bobApp]));
    assert.equal(links.length, CodeLimits.textLinks);
    assert.deepEqual(
      links.map((l) => l.line),
      Array.from({ length: CodeLimits.textLinks }, (_, i) => i + 1),
    );
  });

  it('opens on the receiver’s side in the same repository, on the moved line, though the folder is named differently', async () => {
    const text = 'the loop is at src/total.ts:5';
    const [sent] = await textLinksFor(text, ports([bobApp]));
    // Alice's clone has two lines more above the function, under another folder name.
    write(path.join(aliceApp, 'src', 'total.ts'), ['// header', '// more', SOURCE].join('\n'));
    repositories = [{ root: aliceApp, keys: ['github.com/alice/app', KEY], head: 'b'.repeat(40) }];
    const location = findFileLocations(text)[0]!;
    const link = sentLinkFor([sent!], location);
    assert.ok(link, 'the message carries a link for that path:line');
    const target = await resolveCodeLink(link, undefined, ports([path.join(base, 'alice', 'work')]));
    assert.deepEqual(
      { ...target, text: undefined },
      { kind: 'lines', file: path.join(aliceApp, 'src', 'total.ts'), text: undefined, startLine: 7, endLine: 7, moved: true, checked: 'hash' },
    );
  });

  it('matches a link only to the same path and line in the text, and checks it again as any peer’s link', () => {
    const link: TextLink = { written: './src/a.ts', line: 3, repositories: [KEY], path: 'src/a.ts' };
    assert.equal(sentLinkFor([link], { path: 'src/a.ts', line: 3 })?.path, 'src/a.ts');
    assert.equal(sentLinkFor([link], { path: 'src/a.ts', line: 4 }), undefined);
    assert.equal(sentLinkFor([link], { path: 'src/b.ts', line: 3 }), undefined);
    assert.equal(sentLinkFor(undefined, { path: 'src/a.ts', line: 3 }), undefined);
    // A peer's link that leads out of the checkout is refused here, whatever the relay let through.
    assert.equal(sentLinkFor([{ ...link, path: '../../etc/passwd' }], { path: 'src/a.ts', line: 3 }), undefined);
  });

  it('says the repository is not here when no checkout of it is open (the chat then opens the path as written)', async () => {
    const [sent] = await textLinksFor('src/total.ts:4', ports([bobApp]));
    repositories = [{ root: aliceApp, keys: ['github.com/someone/else'] }];
    write(path.join(aliceApp, 'src', 'total.ts'), SOURCE);
    const target = await resolveCodeLink(sentLinkFor([sent!], { path: 'src/total.ts', line: 4 })!, undefined, ports([aliceApp]));
    assert.equal(target.kind, 'snippet');
  });
});
