import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveInside, safeComponent, safeRelativePath, uniqueName } from '../../../../src/net/transfer/safeNames';

/** Names a hostile peer might offer, and what the receiver must make of them. Pure functions, no sockets. */
describe('safe names for received files', () => {
  const root = path.join(os.tmpdir(), 'tm-safe-root');

  /** What every safe component must be, whatever came in. */
  function assertSafeComponent(part: string, input: string): void {
    const label = `${JSON.stringify(input)} → ${JSON.stringify(part)}`;
    assert.ok(part.length > 0, `empty component: ${label}`);
    assert.notEqual(part, '.', label);
    assert.notEqual(part, '..', label);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f<>:"|?*\\/\u202a-\u202e\u2066-\u2069]/.test(part), `forbidden character: ${label}`);
    assert.ok(Buffer.byteLength(part) <= 255, `over 255 bytes: ${label}`);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(part), `lone surrogate: ${label}`);
    assert.ok(!/^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i.test(part.split('.')[0]), `device name: ${label}`);
  }

  const table: [string, string[]][] = [
    ['../../etc/passwd', ['etc', 'passwd']],
    ['..\\..\\windows\\system32', ['windows', 'system32']],
    ['/etc/passwd', ['etc', 'passwd']],
    ['C:\\x', ['x']],
    ['C:\\Windows\\evil.dll', ['Windows', 'evil.dll']],
    ['\\\\server\\share\\f.txt', ['server', 'share', 'f.txt']],
    ['con', ['_con']],
    ['CON.txt', ['_CON.txt']],
    ['nul', ['_nul']],
    ['com1.log', ['_com1.log']],
    ['lpt9', ['_lpt9']],
    ['COM¹', ['_COM¹']],
    ['dir/aux.tar.gz', ['dir', '_aux.tar.gz']],
    ['a\u0000b', ['a_b']],
    ['line\nbreak', ['line_break']],
    ['tab\tname', ['tab_name']],
    ['bell\u0007\u001b[2J', ['bell__[2J']],
    ['a:b|c?d*e"f<g>h', ['a_b_c_d_e_f_g_h']],
    ['trailing. ', ['trailing']],
    ['  leading', ['leading']],
    ['...', ['_']],
    ['.', ['unnamed']],
    ['', ['unnamed']],
    ['/', ['unnamed']],
    ['../..', ['unnamed']],
    ['a/./b/../c', ['a', 'b', 'c']],
    ['ok/name.txt', ['ok', 'name.txt']],
    ['.bashrc', ['.bashrc']],
    ['evil\u202Etxt.exe', ['evil_txt.exe']],
    ['isolate\u2066x\u2069.txt', ['isolate_x_.txt']],
    ['e\u0301.txt', ['\u00e9.txt']],
  ];

  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected.join('/'))}, inside the download folder`, () => {
      const parts = safeRelativePath(input);
      assert.deepEqual(parts, expected);
      for (const part of parts) assertSafeComponent(part, input);
      const resolved = resolveInside(root, parts);
      const rel = path.relative(root, resolved);
      assert.ok(rel !== '' && !rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel), `${resolved} escapes ${root}`);
      assert.equal(resolved, path.join(root, ...expected));
    });
  }

  describe('very long names', () => {
    it('truncates a multi-byte name to at most 255 bytes on a character boundary, keeping the extension', () => {
      const input = 'é'.repeat(150) + '.txt'; // 304 bytes
      const [part] = safeRelativePath(input);
      assertSafeComponent(part, input);
      assert.ok(Buffer.byteLength(part) < Buffer.byteLength(input));
      assert.ok(part.endsWith('.txt'), part);
      assert.ok(input.startsWith(part.slice(0, -4)), 'the kept stem is a prefix of the original');
      assert.equal(Buffer.from(part, 'utf8').toString('utf8'), part, 'valid UTF-8, no cut character');
    });

    it('never splits a surrogate pair (4-byte characters)', () => {
      const input = '😀'.repeat(100) + '.tar.gz';
      const [part] = safeRelativePath(input);
      assertSafeComponent(part, input);
      assert.ok(part.endsWith('.gz'), part);
      assert.ok(part.startsWith('😀😀'));
    });

    it('truncates a long name without an extension', () => {
      const [part] = safeRelativePath('a'.repeat(300));
      assertSafeComponent(part, 'a*300');
      assert.match(part, /^a+$/);
      assert.ok(part.length >= 100);
    });

    it('drops an "extension" too long to be one rather than keeping it whole', () => {
      const input = 'n'.repeat(250) + '.' + 'e'.repeat(40);
      const [part] = safeRelativePath(input);
      assertSafeComponent(part, input);
      assert.match(part, /^n+$/);
    });

    it('a truncated name does not end with a dot or a space (Windows would drop them)', () => {
      for (const input of ['x'.repeat(199) + '.' + 'y'.repeat(100), 'x'.repeat(199) + ' ' + 'y'.repeat(100)]) {
        const [part] = safeRelativePath(input);
        assertSafeComponent(part, input);
        assert.ok(!/[. ]$/.test(part), `${JSON.stringify(part.slice(-8))} ends with a dot or space`);
      }
    });

    it('keeps long names in every folder of a path', () => {
      const input = `${'d'.repeat(300)}/${'é'.repeat(200)}.md`;
      const parts = safeRelativePath(input);
      assert.equal(parts.length, 2);
      for (const part of parts) assertSafeComponent(part, input);
      assert.ok(parts[1].endsWith('.md'));
    });
  });

  describe('deep nesting', () => {
    it('keeps at most 32 levels (the innermost) and stays inside the root', () => {
      const input = Array.from({ length: 100 }, (_, i) => `d${i}`).join('/') + '/leaf.txt';
      const parts = safeRelativePath(input);
      assert.equal(parts.length, 32);
      assert.equal(parts[parts.length - 1], 'leaf.txt');
      assert.equal(parts[0], 'd69');
      const resolved = resolveInside(root, parts);
      assert.ok(resolved.startsWith(root + path.sep));
    });

    it('a path made only of parent references never climbs', () => {
      const input = '../'.repeat(500) + 'x';
      assert.deepEqual(safeRelativePath(input), ['x']);
      assert.equal(resolveInside(root, safeRelativePath(input)), path.join(root, 'x'));
    });
  });

  describe('safeComponent', () => {
    it('is never empty, "." or ".."', () => {
      for (const input of ['', '.', '..', ' ', '. .', '\u0000']) {
        const out = safeComponent(input);
        assertSafeComponent(out, input);
      }
    });

    it('replaces path separators inside one component', () => {
      assert.equal(safeComponent('a\\b'), 'a_b');
    });
  });

  describe('uniqueName', () => {
    it('picks "a (1).txt", then "a (2).txt"', () => {
      const taken = new Set(['a.txt']);
      assert.equal(
        uniqueName('/x', 'a.txt', (c) => taken.has(c)),
        'a (1).txt',
      );
      taken.add('a (1).txt');
      assert.equal(
        uniqueName('/x', 'a.txt', (c) => taken.has(c)),
        'a (2).txt',
      );
    });

    it('returns the name itself when it is free', () => {
      assert.equal(
        uniqueName('/x', 'free.txt', () => false),
        'free.txt',
      );
    });

    it('keeps names without an extension', () => {
      const taken = new Set(['README', 'README (1)']);
      assert.equal(
        uniqueName('/x', 'README', (c) => taken.has(c)),
        'README (2)',
      );
    });

    it('treats a dotfile as a name, not an extension', () => {
      assert.equal(
        uniqueName('/x', '.bashrc', (c) => c === '.bashrc'),
        '.bashrc (1)',
      );
    });

    it('numbers before the last extension', () => {
      assert.equal(
        uniqueName('/x', 'archive.tar.gz', (c) => c === 'archive.tar.gz'),
        'archive.tar (1).gz',
      );
    });

    it('numbers folders the same way', () => {
      assert.equal(
        uniqueName('/x', 'folder', (c) => c === 'folder'),
        'folder (1)',
      );
    });

    it('looks at the real folder by default', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-unique-'));
      try {
        fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
        fs.writeFileSync(path.join(dir, 'a (1).txt'), 'x');
        fs.mkdirSync(path.join(dir, 'folder'));
        assert.equal(uniqueName(dir, 'a.txt'), 'a (2).txt');
        assert.equal(uniqueName(dir, 'folder'), 'folder (1)');
        assert.equal(uniqueName(dir, 'b.txt'), 'b.txt');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('resolveInside', () => {
    const escapes: string[][] = [['..'], ['..', 'x'], ['a', '..', '..', 'b'], ['/etc/passwd'], ['a', '/etc'], []];
    for (const parts of escapes) {
      it(`throws for ${JSON.stringify(parts)}`, () => {
        assert.throws(() => resolveInside(root, parts), /outside the download folder/);
      });
    }

    it('accepts ordinary nested parts', () => {
      assert.equal(resolveInside(root, ['a', 'b', 'c.txt']), path.join(root, 'a', 'b', 'c.txt'));
    });

    it('accepts a name that merely starts with two dots ("..notes" is not a parent reference)', () => {
      assert.deepEqual(safeRelativePath('..notes'), ['..notes']);
      assert.equal(resolveInside(root, ['..notes']), path.join(root, '..notes'));
    });
  });
});
