import { strict as assert } from 'node:assert';
import { inert, joinInert, MAX_CHARS, MAX_CHARS_LIMIT } from '../../../src/model/inertText';
import { Prng } from '../helpers/prng';

/** VS Code's notification links (vs/base/common/linkedText.ts): `[label](https|command|file:…)`. */
const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
/** VS Code's icon syntax (vs/base/common/iconLabels.ts): `$(name)` or `$(name~modifier)`. */
const ICON = /\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/;
/** What a markdown renderer makes a link or an element of. */
const MARKDOWN_LINK = /\](?=[([]|:\D)|<[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\s]*>|<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[^<>\s]*>/;
/** Raw URIs and linkified text that a renderer or VS Code would open. */
const RAW_URI = /\b(?:command|vscode|vscode-insiders|file|javascript|data|https?):|\bwww\.|\b[a-z][a-z0-9+.-]*:\/\//i;
const JOINER = /\u2060/g;

/** What every inert text must be, whatever came in. */
function assertInert(out: string, input: string, bound = 2 * MAX_CHARS + 1): void {
  const label = `${JSON.stringify(input.slice(0, 80))} → ${JSON.stringify(out.slice(0, 80))}`;
  assert.equal(out.match(NOTIFICATION_LINK), null, `a notification link survived: ${label}`);
  assert.ok(!ICON.test(out), `an icon survived: ${label}`);
  assert.ok(!MARKDOWN_LINK.test(out), `markdown link syntax survived: ${label}`);
  assert.ok(!RAW_URI.test(out), `a raw URI survived: ${label}`);
  assert.ok(!/[\r\n\u2028\u2029\u0085]/.test(out), `a line break survived: ${label}`);
  assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(out), `a bidi override survived: ${label}`);
  assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(out), `a control character survived: ${label}`);
  assert.ok(out.length <= bound, `${out.length} characters, over ${bound}: ${label}`);
}

describe('inert: peer text made safe for VS Code sinks', () => {
  const command = 'command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22touch%20pwned%5Cn%22%7D';
  // [input, what it shows once the invisible joiners are taken out]
  const table: [string, string][] = [
    [`Notes [here](${command})`, `Notes [here](${command})`],
    ['[release notes](command:workbench.action.openSettings).txt', '[release notes](command:workbench.action.openSettings).txt'],
    ['[a [nested] one](command:x)', '[a [nested] one](command:x)'],
    ['[[double]](command:x)', '[[double]](command:x)'],
    ['\\[escaped\\](command:x)', '\\[escaped\\](command:x)'],
    ['[escaped \\](command:x)](command:y)', '[escaped \\](command:x)](command:y)'],
    ['[ref link][r]\n[r]: command:x', '[ref link][r] [r]: command:x'],
    ['[collapsed][]', '[collapsed][]'],
    ['![image](https://evil.example/p.png)', '![image](https://evil.example/p.png)'],
    ['[label](https://evil.example "title")', '[label](https://evil.example "title")'],
    ['<command:workbench.action.quit>', '<command:workbench.action.quit>'],
    ['<https://evil.example> and <mail@evil.example>', '<https://evil.example> and <mail@evil.example>'],
    ['<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
    ['[::1]:9999 and [fe80::1%eth0]:22', '[::1]:9999 and [fe80::1%eth0]:22'],
    ['raw command:workbench.action.quit here', 'raw command:workbench.action.quit here'],
    ['COMMAND:workbench.action.quit', 'COMMAND:workbench.action.quit'],
    ['command%3Aworkbench.action.quit', 'command%3Aworkbench.action.quit'],
    ['vscode://vscode.git/clone?url=x vscode-insiders://x', 'vscode://vscode.git/clone?url=x vscode-insiders://x'],
    ['file:///etc/passwd javascript:alert(1) data:text/html,x', 'file:///etc/passwd javascript:alert(1) data:text/html,x'],
    ['see www.evil.example', 'see www.evil.example'],
    ['custom+scheme://host/path', 'custom+scheme://host/path'],
    ['$(alert) $(sync~spin) $(x)', '$(alert) $(sync~spin) $(x)'],
    ['\\$(escaped-icon)', '\\$(escaped-icon)'],
    ['$$(two)', '$$(two)'],
    ['line one\nline two\r\nthree\rfour\u2028five\u2029six', 'line one line two three four five six'],
    ['tab\there', 'tab here'],
    ['invoice\u202Efdp.exe', 'invoice\uFFFDfdp.exe'],
    ['isolate\u2067x\u2069', 'isolate\uFFFDx\uFFFD'],
    ['bell\u0007 esc\u001b[31m nul\u0000 c1\u009b', 'bell\uFFFD esc\uFFFD[31m nul\uFFFD c1\uFFFD'],
    ['price $5 (approx) and [x] (y)', 'price $5 (approx) and [x] (y)'],
    ['émoji 👋 and 日本語', 'émoji 👋 and 日本語'],
  ];

  for (const [input, shown] of table) {
    it(`shows ${JSON.stringify(input.slice(0, 60))} literally`, () => {
      const out = inert(input);
      assertInert(out, input);
      assert.equal(out.replace(JOINER, ''), shown);
    });
  }

  it('bounds a 10,000-character name and never splits a surrogate pair', () => {
    const name = '[x](command:y)'.repeat(800);
    const out = inert(name);
    assertInert(out, name);
    assert.ok(out.replace(JOINER, '').length === MAX_CHARS, `${out.replace(JOINER, '').length}`);
    assert.ok(out.endsWith('…'));
    const emoji = '👋'.repeat(10_000);
    const cut = inert(emoji, { maxChars: 7 });
    assert.equal(cut, '👋'.repeat(6) + '…');
    assert.equal(inert('👋'.repeat(7), { maxChars: 7 }), '👋'.repeat(7), 'exactly the limit in code points is kept whole');
    assert.equal(inert('a'.repeat(50_000), { maxChars: 1_000_000 }).length, MAX_CHARS_LIMIT, 'the hard limit holds whatever is asked');
  });

  it('keeps line breaks only when asked, still neutralising each line', () => {
    const out = inert('first [a](command:x)\r\nsecond $(zap)', { multiline: true });
    assert.equal(out.replace(JOINER, ''), 'first [a](command:x)\nsecond $(zap)');
    assert.equal(out.match(NOTIFICATION_LINK), null);
    assert.ok(!ICON.test(out));
  });

  it('as a template tag, neutralises the values and keeps our own words and icons', () => {
    const name = '[bob](command:evil)';
    const out = inert`$(account) ${name} wants to send you ${'$(zap) x.txt'} (${42} KB).`;
    assert.ok(out.startsWith('$(account) '), 'our icon stays an icon');
    assert.equal(out.replace(JOINER, ''), '$(account) [bob](command:evil) wants to send you $(zap) x.txt (42 KB).');
    assert.equal(out.slice('$(account) '.length).match(NOTIFICATION_LINK), null);
    assert.ok(!ICON.test(out.slice('$(account) '.length)));
    assert.equal(inert`no values at all`, 'no values at all');
    assert.equal(joinInert([inert`a`, inert('$(b)')], ' · ').replace(JOINER, ''), 'a · $(b)');
  });

  it('is idempotent: inert text passed through again is unchanged', () => {
    for (const [input] of table) {
      const once = inert(input);
      assert.equal(inert(once), once, JSON.stringify(input));
    }
  });

  it('turns non-strings into their text', () => {
    assert.equal(inert(42), '42');
    assert.equal(inert(undefined), 'undefined');
    assert.equal(inert({ toString: () => '[x](command:y)' }).replace(JOINER, ''), '[x](command:y)');
  });

  it('leaves nothing a sink would interpret in seeded random text made of link and icon syntax', () => {
    const alphabet = [
      '[',
      ']',
      '(',
      ')',
      '<',
      '>',
      '$',
      '!',
      ':',
      '/',
      '\\',
      'command',
      'https',
      'file',
      'vscode',
      'www',
      '.',
      ' ',
      'x',
      '\n',
      '\u202e',
      '~',
      '-',
      '"',
      '👋',
    ];
    for (let seed = 1; seed <= 2000; seed++) {
      const prng = new Prng(seed);
      let input = '';
      const parts = prng.int(1, 25);
      for (let i = 0; i < parts; i++) input += prng.pick(alphabet);
      const out = inert(input);
      assertInert(out, `seed ${seed}: ${input}`);
      const expected = input.replace(/\r\n|[\n\r]/g, ' ').replace(/[\u202a-\u202e]/g, '\uFFFD');
      assert.equal(out.replace(JOINER, ''), expected, `seed ${seed}: every visible character is kept`);
      assert.equal(inert(out), out, `seed ${seed}: idempotent`);
    }
  });
});
