import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { Secrets } from '../../../src/extension/secrets';
import { generateIdentity } from '../../../src/net/identity';
import { LogCapture } from '../helpers/security';

const IDENTITY_KEY = 'teamMessenger.identityKey';

/** VS Code's SecretStorage in memory. */
function secretStorage(values: Record<string, string> = {}) {
  const map = new Map(Object.entries(values));
  const storage = {
    get: (key: string) => Promise.resolve(map.get(key)),
    store: (key: string, value: string) => Promise.resolve(void map.set(key, value)),
    delete: (key: string) => Promise.resolve(void map.delete(key)),
  } as unknown as vscode.SecretStorage;
  return { map, storage };
}

describe("Secrets: this user's identity key", function () {
  it('restores a stored identity, and says nothing', async function () {
    const identity = generateIdentity();
    const { storage } = secretStorage({ [IDENTITY_KEY]: identity.exportPrivateKey() });
    const log = new LogCapture();
    assert.equal((await new Secrets(storage, log).identity()).clientId, identity.clientId);
    assert.deepEqual(log.entries, []);
  });

  for (const [name, pem] of [
    ['garbage', '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n'],
    ['empty', ''],
    ['oversized', `${generateIdentity().exportPrivateKey()}${'A'.repeat(20_000)}`],
  ]) {
    it(`replaces a ${name} key with a new identity, said once in the log`, async function () {
      const { map, storage } = secretStorage({ [IDENTITY_KEY]: pem });
      const log = new LogCapture();
      const secrets = new Secrets(storage, log);
      const first = await secrets.identity();
      assert.notEqual(map.get(IDENTITY_KEY), pem, 'the new key is stored');
      assert.equal((await secrets.identity()).clientId, first.clientId, 'and kept');
      assert.equal(log.entries.length, 1);
      assert.equal(log.entries[0].level, 'warn');
      assert.match(log.entries[0].message, /^this user's identity key could not be restored \(.+\); using a new identity/);
      assert.ok(!log.entries[0].message.includes('PRIVATE KEY'), 'no key material in the log');
    });
  }

  it('makes an identity the first time, silently', async function () {
    const { map, storage } = secretStorage();
    const log = new LogCapture();
    const identity = await new Secrets(storage, log).identity();
    assert.ok(map.get(IDENTITY_KEY));
    assert.equal(identity.clientId.length > 0, true);
    assert.deepEqual(log.entries, []);
  });
});

describe('Secrets: team secrets', function () {
  it("keeps a relay's own secret apart: joining another team never replaces this team's (or the local relay's) secret", async function () {
    const { map, storage } = secretStorage();
    const secrets = new Secrets(storage, new LogCapture());
    await secrets.setTeamSecret('our team');
    await secrets.setTeamSecret('their team', 'other.example:9999');
    assert.equal(await secrets.teamSecret(), 'our team', 'the default, which the local relay uses, is unchanged');
    assert.equal(await secrets.teamSecret('other.example:9999'), 'their team');
    assert.equal(await secrets.teamSecret('chat.example:9999'), 'our team', 'a relay without its own secret uses the default');
    await secrets.setTeamSecret(undefined, 'other.example:9999');
    assert.equal(await secrets.teamSecret('other.example:9999'), 'our team');
    assert.deepEqual([...map.keys()], ['teamMessenger.teamSecret']);
  });
});
