import * as fs from 'fs';
import * as path from 'path';
import type { ToWebview } from '../../src/views/chatProtocol';

/** Shared by the formatted-message tests and the bench: grammars as the extension sends them, and hostile markdown. */

const ROOT = path.join(__dirname, '..', '..');

/** What the extension answers to `load-grammar` (the build's dist/grammars/NAME.json). */
export function grammarReply(language: string): ToWebview {
  const grammars = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'grammars', `${language}.json`), 'utf8')) as unknown[];
  return { type: 'grammar', language, grammars };
}

/** About a megabyte of lists nested ever deeper (and back), as a flood of markdown would send. */
function nestedLists(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const depth = i % 200;
    const line = `${'  '.repeat(depth)}- item ${i} *x* [a](javascript:alert(${i}))`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

export interface HostileEntry {
  name: string;
  text: string;
}

/**
 * Markdown meant to run code, load things, or make a renderer take forever. The first ones are
 * the classic injections, the last ones the costly shapes (each within the relay's 256 KiB text
 * limit but the last, which is over it to check the renderer's own cap).
 */
export const HOSTILE_MARKDOWN: HostileEntry[] = [
  { name: 'script tag', text: '<script>window.__pwned=1</script> hi' },
  { name: 'img onerror', text: '<img src=x onerror="window.__pwned=1">' },
  { name: 'inline html events', text: 'a <b onmouseover="window.__pwned=1">b</b> <a href="javascript:window.__pwned=1">c</a>' },
  { name: 'svg', text: '<svg onload="window.__pwned=1"><script>window.__pwned=1</script></svg>' },
  { name: 'iframe srcdoc', text: '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>' },
  { name: 'style', text: '</style><style>body{display:none}</style>' },
  { name: 'javascript link', text: '[click](javascript:window.__pwned=1) [c2](JaVaScRiPt:window.__pwned=1) [c3](  javascript:window.__pwned=1)' },
  { name: 'encoded javascript', text: '[x](&#106;avascript:window.__pwned=1) [y](java%0ascript:window.__pwned=1) [z](jav\tascript:1)' },
  { name: 'data link', text: '[d](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+) <data:text/html,hi>' },
  { name: 'command link', text: '[quit](command:workbench.action.quit) [vs](vscode://file/etc/passwd) [file](file:///etc/passwd)' },
  { name: 'image', text: '![x](https://attacker.example/track.png) ![y](javascript:window.__pwned=1)' },
  { name: 'autolink schemes', text: '<javascript:window.__pwned=1> <command:workbench.action.quit> <https://ok.example>' },
  { name: 'reference links', text: '[a][1]\n\n[1]: javascript:window.__pwned=1' },
  { name: 'attribute breakout', text: '[a](https://x.example/"onmouseover="window.__pwned=1)' },
  { name: 'protocol-relative', text: '[a](//attacker.example/x) [b](\\\\attacker.example\\share)' },
  { name: 'code fence info', text: '```"><script>window.__pwned=1</script>\ncode\n```' },
  {
    name: 'path:line lookalikes',
    text: 'javascript:alert(1):3 command:x.ts:1 vscode:a.ts:2 C:\\win\\a.ts:3 /etc/passwd:1 ../../x.ts:4 `a.ts:5` [b.ts:6](javascript:alert(1))',
  },
  { name: 'emphasis bomb', text: '*a **a '.repeat(5_000) },
  { name: 'nested brackets', text: '['.repeat(20_000) + 'x' + ']'.repeat(20_000) },
  { name: 'ten thousand backticks', text: '`'.repeat(10_000) + 'x' },
  { name: 'backtick runs', text: Array.from({ length: 2_000 }, (_, i) => '`'.repeat((i % 40) + 1)).join(' ') },
  { name: 'deep blockquotes', text: '>'.repeat(10_000) + ' deep' },
  { name: 'deep lists', text: Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}- x`).join('\n') },
  { name: 'many links', text: Array.from({ length: 3_000 }, (_, i) => `https://e${i}.example`).join(' ') },
  { name: 'wide table', text: `|${'a|'.repeat(3_000)}\n|${'-|'.repeat(3_000)}\n|${'x|'.repeat(3_000)}` },
  { name: 'a megabyte of nested lists', text: nestedLists(1_000_000) },
];
