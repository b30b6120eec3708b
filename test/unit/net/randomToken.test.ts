import { strict as assert } from 'node:assert';
import { randomToken } from '../../../src/net/randomToken';

describe('randomToken', () => {
  it('is base64url of the bytes asked for and never starts with a dash (one in 64 would)', () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const token = randomToken(9);
      assert.match(token, /^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/);
      tokens.add(token);
    }
    assert.equal(tokens.size, 4000);
  });
});
