import { strict as assert } from 'node:assert';
import { findFileLocations, MAX_LOCATIONS } from '../../../../src/model/code/fileLocations';

/** Each location as `path:line[:col]` and the text it covers. */
function found(text: string): string[] {
  return findFileLocations(text).map((l) => `${l.path}:${l.line}${l.column !== undefined ? `:${l.column}` : ''} ← ${text.slice(l.start, l.end)}`);
}

describe('file locations in terminal output and stack traces', () => {
  it('reads a Node stack trace, skipping runtime internals', () => {
    const trace = [
      'TypeError: Cannot read properties of undefined (reading "id")',
      '    at Router.route (/home/bob/app/src/server/router.js:42:17)',
      '    at async Promise.all (index 0)',
      '    at Object.<anonymous> (/home/bob/My Project/index.js:3:1)',
      '    at /home/bob/app/src/main.js:10:5',
      '    at Module._compile (node:internal/modules/cjs/loader:1105:14)',
      '    at new Promise (<anonymous>)',
      '    at file:///home/bob/app/src/esm%20file.mjs:7:9',
      '    at run (webpack:///./src/app.ts:12:3)',
    ].join('\n');
    assert.deepEqual(found(trace), [
      '/home/bob/app/src/server/router.js:42:17 ← /home/bob/app/src/server/router.js:42:17',
      '/home/bob/My Project/index.js:3:1 ← /home/bob/My Project/index.js:3:1',
      '/home/bob/app/src/main.js:10:5 ← /home/bob/app/src/main.js:10:5',
      '/home/bob/app/src/esm file.mjs:7:9 ← file:///home/bob/app/src/esm%20file.mjs:7:9',
      './src/app.ts:12:3 ← webpack:///./src/app.ts:12:3',
    ]);
  });

  it('reads TypeScript compiler output in both forms, and a ts-node trace', () => {
    const tsc = [
      "src/model/code/codeLink.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/views/chatPanel.ts:88:13 - error TS2339: Property 'foo' does not exist on type 'Panel'.",
      '    at Object.<anonymous> (/home/bob/app/src/index.ts:7:11)',
    ].join('\n');
    assert.deepEqual(found(tsc), [
      'src/model/code/codeLink.ts:12:5 ← src/model/code/codeLink.ts(12,5)',
      'src/views/chatPanel.ts:88:13 ← src/views/chatPanel.ts:88:13',
      '/home/bob/app/src/index.ts:7:11 ← /home/bob/app/src/index.ts:7:11',
    ]);
  });

  it('reads a Python traceback', () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "/home/bob/app/main.py", line 12, in <module>',
      '    main()',
      '  File "app/util with space.py", line 3, in main',
      '    raise ValueError("x")',
      'ValueError: x',
    ].join('\n');
    assert.deepEqual(found(trace), [
      '/home/bob/app/main.py:12 ← File "/home/bob/app/main.py", line 12',
      'app/util with space.py:3 ← File "app/util with space.py", line 3',
    ]);
  });

  it('reads a Java stack trace, naming files by their package', () => {
    const trace = [
      'Exception in thread "main" java.lang.IllegalStateException: boom',
      '\tat com.example.app.Service$Worker.run(Service.java:42)',
      '\tat com.example.app.Main.lambda$main$0(Main.java:17)',
      '\tat java.base/java.lang.Thread.run(Thread.java:829)',
      '\tat Main.main(Main.java:5)',
      '\tat jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)',
      '\tat org.example.KtKt.main(Kt.kt:3)',
    ].join('\n');
    assert.deepEqual(found(trace), [
      'com/example/app/Service.java:42 ← Service.java:42',
      'com/example/app/Main.java:17 ← Main.java:17',
      'java/lang/Thread.java:829 ← Thread.java:829',
      'Main.java:5 ← Main.java:5',
      'org/example/Kt.kt:3 ← Kt.kt:3',
    ]);
  });

  it('reads a Go panic and compiler errors', () => {
    const output = [
      'panic: runtime error: index out of range [3] with length 3',
      '',
      'goroutine 1 [running]:',
      'main.handler(...)',
      '\t/home/bob/app/cmd/server/main.go:42 +0x1d',
      'main.main()',
      '\t/home/bob/app/cmd/server/main.go:17 +0x25',
      'exit status 2',
      './main.go:10:5: undefined: foo',
    ].join('\n');
    assert.deepEqual(found(output), [
      '/home/bob/app/cmd/server/main.go:42 ← /home/bob/app/cmd/server/main.go:42',
      '/home/bob/app/cmd/server/main.go:17 ← /home/bob/app/cmd/server/main.go:17',
      './main.go:10:5 ← ./main.go:10:5',
    ]);
  });

  it('reads Rust compiler errors, panics and backtraces', () => {
    const output = [
      'error[E0425]: cannot find value `x` in this scope',
      ' --> src/main.rs:4:13',
      "thread 'main' panicked at src/lib.rs:27:9:",
      'stack backtrace:',
      '   0: app::run',
      '             at ./src/lib.rs:27:9',
      '   1: core::ops::function::FnOnce::call_once',
      '             at /rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/src/ops/function.rs:250:5',
    ].join('\n');
    assert.deepEqual(found(output), [
      'src/main.rs:4:13 ← src/main.rs:4:13',
      'src/lib.rs:27:9 ← src/lib.rs:27:9',
      './src/lib.rs:27:9 ← ./src/lib.rs:27:9',
      '/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/src/ops/function.rs:250:5 ← /rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/src/ops/function.rs:250:5',
    ]);
  });

  it('reads plain path:line as people type it, and Windows paths', () => {
    assert.deepEqual(found('see src/a.ts:10 and README.md:3, then C:\\app\\src\\b.ts:7:2.'), [
      'src/a.ts:10 ← src/a.ts:10',
      'README.md:3 ← README.md:3',
      'C:\\app\\src\\b.ts:7:2 ← C:\\app\\src\\b.ts:7:2',
    ]);
    assert.deepEqual(found('Makefile/sub:12 lib/Dockerfile:3'), ['Makefile/sub:12 ← Makefile/sub:12', 'lib/Dockerfile:3 ← lib/Dockerfile:3']);
  });

  it('leaves times, ports, hosts, URLs and version numbers alone', () => {
    const noise = [
      'at 12:30:45 the build ran on localhost:8080 and 10.0.0.1:443',
      'fetched https://example.com/app.js:10:5 and http://cdn.example.org/x.ts:3',
      'connect example.com:443 and api.internal:9000; node v20.11.1:4',
      'ratio 3:2, Error:12, TS2322:1',
    ].join('\n');
    assert.deepEqual(found(noise), []);
  });

  it('gives offsets into the whole text across lines and CRLF endings', () => {
    const text = 'first line\r\n  at f (/a/b.js:1:2)\r\nsrc/c.ts:3\r\n';
    const locations = findFileLocations(text);
    assert.deepEqual(
      locations.map((l) => text.slice(l.start, l.end)),
      ['/a/b.js:1:2', 'src/c.ts:3'],
    );
  });

  it('stops at a bounded number of locations and a bounded line length', () => {
    const many = Array.from({ length: MAX_LOCATIONS + 50 }, (_, i) => `src/f${i}.ts:${i + 1}`).join('\n');
    assert.equal(findFileLocations(many).length, MAX_LOCATIONS);
    const long = `${'a/'.repeat(5000)}x.ts:1`;
    assert.deepEqual(findFileLocations(long), [], 'past the searched part of a line');
  });

  it('finishes on hostile input shaped to make regular expressions backtrack', () => {
    const inputs = [
      'at '.repeat(20_000),
      `  at ${'('.repeat(3000)}${'a:1:'.repeat(1000)}`,
      `File "${'x'.repeat(5000)}`,
      `${'a.'.repeat(10_000)}`,
      `${'file://'.repeat(3000)}:x`,
      `at ${'a.'.repeat(5000)}(`,
      `${'x/'.repeat(2000)}${'.a'.repeat(2000)}(1,`,
    ];
    for (const input of inputs) assert.ok(Array.isArray(findFileLocations(input)));
  });
});
