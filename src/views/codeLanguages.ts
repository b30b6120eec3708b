/**
 * The languages code blocks are highlighted in, shared by the build (which writes one grammar
 * file per name into dist/grammars/), the extension (which hands a grammar to the webview when it
 * first meets that language) and the webview. Pure data and lookups: no imports, so both sides
 * can bundle it.
 */

/** Grammar names (as @shikijs/langs spells them) shipped in dist/grammars/. */
export const GRAMMARS = [
  'bat',
  'c',
  'cpp',
  'csharp',
  'css',
  'dart',
  'diff',
  'docker',
  'elixir',
  'go',
  'graphql',
  'groovy',
  'haskell',
  'hcl',
  'html',
  'ini',
  'java',
  'javascript',
  'json',
  'jsonc',
  'jsx',
  'kotlin',
  'less',
  'log',
  'lua',
  'make',
  'markdown',
  'php',
  'powershell',
  'proto',
  'python',
  'r',
  'ruby',
  'rust',
  'scala',
  'scss',
  'shellscript',
  'sql',
  'swift',
  'terraform',
  'toml',
  'tsx',
  'typescript',
  'xml',
  'yaml',
  'zig',
] as const;
export type GrammarName = (typeof GRAMMARS)[number];

/** Fence labels and VS Code language ids that name a grammar differently. */
const ALIASES: Record<string, GrammarName> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  typescriptreact: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  javascriptreact: 'jsx',
  sh: 'shellscript',
  bash: 'shellscript',
  zsh: 'shellscript',
  shell: 'shellscript',
  console: 'shellscript',
  py: 'python',
  python3: 'python',
  ps1: 'powershell',
  pwsh: 'powershell',
  cmd: 'bat',
  batch: 'bat',
  yml: 'yaml',
  md: 'markdown',
  rs: 'rust',
  golang: 'go',
  cs: 'csharp',
  'c#': 'csharp',
  'c++': 'cpp',
  cc: 'cpp',
  h: 'c',
  hpp: 'cpp',
  kt: 'kotlin',
  kts: 'kotlin',
  rb: 'ruby',
  dockerfile: 'docker',
  patch: 'diff',
  makefile: 'make',
  htm: 'html',
  svg: 'xml',
  xsl: 'xml',
  gql: 'graphql',
  hs: 'haskell',
  ex: 'elixir',
  exs: 'elixir',
  tf: 'terraform',
  protobuf: 'proto',
  postgres: 'sql',
  mysql: 'sql',
};

/** VS Code's language id for a grammar, where it is not the grammar's own name. */
const VSCODE_IDS: Partial<Record<GrammarName, string>> = {
  tsx: 'typescriptreact',
  jsx: 'javascriptreact',
  docker: 'dockerfile',
  make: 'makefile',
  jsonc: 'jsonc',
};

const KNOWN = new Set<string>(GRAMMARS);

/** The grammar for a fence label or language id ('TS', 'typescript', 'c++'), or undefined. */
export function grammarFor(label: string | undefined): GrammarName | undefined {
  if (!label) return undefined;
  const key = label.trim().toLowerCase();
  if (KNOWN.has(key)) return key as GrammarName;
  return ALIASES[key];
}

/** The VS Code language id to open a snippet as ('plaintext' when the label names none we know). */
export function vscodeLanguageFor(label: string | undefined): string {
  const grammar = grammarFor(label);
  if (!grammar) return 'plaintext';
  return VSCODE_IDS[grammar] ?? grammar;
}

/** What the webview may ask for: a grammar name, checked against the shipped list. */
export function isGrammarName(name: string): name is GrammarName {
  return KNOWN.has(name);
}
