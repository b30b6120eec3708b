import { strict as assert } from 'node:assert';
import { isRepositoryKey, repositoryKey, repositoryKeys, sameRepository } from '../../../../src/model/code/repositoryIdentity';

describe('repository identity: one key per repository', () => {
  it('gives every form of one GitHub remote the same key', () => {
    const forms = [
      'git@github.com:team/app.git',
      'git@github.com:team/app',
      'git@github.com:Team/App.git',
      'github.com:team/app.git',
      'https://github.com/team/app.git',
      'https://github.com/team/app',
      'https://github.com/team/app/',
      'https://github.com/team/app.git/',
      'HTTPS://GitHub.com/Team/App',
      'http://github.com/team/app',
      'https://user:ghp_secretToken@github.com/team/app.git',
      'https://oauth2@github.com:443/team/app.git',
      'ssh://git@github.com/team/app.git',
      'ssh://git@github.com:22/team/app.git',
      'git+ssh://git@github.com/team/app.git',
      'git://github.com/team/app.git',
      'https://github.com//team//app.git',
    ];
    for (const form of forms) assert.equal(repositoryKey(form), 'github.com/team/app', form);
  });

  it('keeps different repositories, hosts and nested groups apart', () => {
    assert.equal(repositoryKey('git@gitlab.com:group/sub/app.git'), 'gitlab.com/group/sub/app');
    assert.equal(repositoryKey('https://gitlab.com/group/sub/app'), 'gitlab.com/group/sub/app');
    assert.notEqual(repositoryKey('git@github.com:team/app.git'), repositoryKey('git@github.com:team/app-docs.git'));
    assert.notEqual(repositoryKey('git@github.com:team/app.git'), repositoryKey('git@gitlab.com:team/app.git'));
    assert.equal(repositoryKey('ssh://git@git.example.com:2222/~bob/app.git'), 'git.example.com/~bob/app');
    assert.equal(repositoryKey('git@[::1]:team/app.git'), '[::1]/team/app');
  });

  it('names an Azure DevOps repository one way over https, ssh and the old host', () => {
    const key = 'dev.azure.com/org/project/app';
    assert.equal(repositoryKey('https://org@dev.azure.com/org/project/_git/app'), key);
    assert.equal(repositoryKey('git@ssh.dev.azure.com:v3/org/project/app'), key);
    assert.equal(repositoryKey('https://org.visualstudio.com/project/_git/app'), key);
    assert.equal(repositoryKey('https://org.visualstudio.com/DefaultCollection/project/_git/app'), key);
    assert.equal(repositoryKey('org@vs-ssh.visualstudio.com:v3/org/project/app'), key);
  });

  it('never puts credentials or ports in the key', () => {
    const key = repositoryKey('https://bob:hunter2@git.example.com:8443/team/app.git')!;
    assert.equal(key, 'git.example.com/team/app');
    assert.ok(!key.includes('hunter2') && !key.includes('bob') && !key.includes('8443'));
  });

  it('keys local remotes by their absolute path, keeping case, resolving relative ones from the repository', () => {
    assert.equal(repositoryKey('/srv/git/App.git'), 'file:///srv/git/App');
    assert.equal(repositoryKey('/srv/git/App/.git'), 'file:///srv/git/App');
    assert.equal(repositoryKey('file:///srv/git/App.git'), 'file:///srv/git/App');
    assert.equal(repositoryKey('file:///srv/git/My%20App.git'), 'file:///srv/git/My App');
    assert.equal(repositoryKey('../shared/App.git', '/home/alice/work/app'), 'file:///home/alice/work/shared/App');
    assert.equal(repositoryKey('../shared/App.git'), undefined, 'a relative remote needs the repository root');
    assert.equal(repositoryKey('C:\\repos\\App.git'), 'file:///C:/repos/App');
    assert.equal(repositoryKey('c:/repos/App'), 'file:///C:/repos/App');
    assert.equal(repositoryKey('file:///C:/repos/App.git'), 'file:///C:/repos/App');
  });

  it('refuses what is no fetchable remote', () => {
    for (const bad of [
      '',
      '   ',
      'https://',
      'https://github.com',
      'https://github.com/',
      'git@github.com:',
      'git@github.com:.git',
      'https://github.com:team',
      'ftp://[bad/x',
      'https://exa mple.com/a',
      'https://a\u0000b/x',
      '/',
      'x'.repeat(5000),
    ]) {
      assert.equal(repositoryKey(bad), undefined, JSON.stringify(bad.slice(0, 40)));
    }
  });

  it('lists a fork’s keys origin first, then upstream, each once and bounded', () => {
    const keys = repositoryKeys([
      { name: 'zeta', fetchUrl: 'git@example.com:z/app.git' },
      { name: 'upstream', fetchUrl: 'https://github.com/team/app.git', pushUrl: 'no_push' },
      { name: 'origin', fetchUrl: 'git@github.com:alice/app.git', pushUrl: 'https://github.com/alice/app' },
      { name: 'alpha', fetchUrl: 'git@example.com:a/app.git' },
      { name: 'beta', fetchUrl: 'git@example.com:b/app.git' },
    ]);
    assert.deepEqual(keys, ['github.com/alice/app', 'github.com/team/app', 'example.com/a/app', 'example.com/b/app']);
    assert.ok(sameRepository(keys, ['github.com/team/app']), 'alice’s fork and bob’s clone of upstream are one repository');
    assert.ok(!sameRepository(keys, ['github.com/carol/other']));
    assert.deepEqual(repositoryKeys([]), []);
  });

  it('accepts the keys it makes and refuses others from peers', () => {
    for (const key of ['github.com/team/app', 'file:///srv/git/App', 'file:///C:/repos/App', '[::1]/team/app']) assert.ok(isRepositoryKey(key), key);
    for (const bad of ['', 'github.com', 'https://github.com/team/app', 'a b/c', 'x/\u0007', 42, null, 'x/'.padEnd(600, 'y')]) {
      assert.ok(!isRepositoryKey(bad), JSON.stringify(bad));
    }
  });
});
