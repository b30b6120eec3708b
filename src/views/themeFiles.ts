import * as path from 'path';
import type { TokenColorRule } from './chatProtocol';

/**
 * A VS Code colour theme's token colours, read from its files as VS Code does: JSON with
 * comments and trailing commas, `include` of a parent theme (its rules first, the child's win),
 * `tokenColors` inline or in a file of its own, and the user's `editor.tokenColorCustomizations`
 * on top. Pure apart from the `read` it is given, so it is tested without VS Code. Only well-formed
 * rules with #hex colours pass: the webview gets data it can hand its highlighter as is.
 */

export interface ThemeRules {
  rules: TokenColorRule[];
  /** The theme's workbench colours that matter here ('editor.foreground', 'editor.background'). */
  fg?: string;
  bg?: string;
}

const HEX_COLOR = /^#[0-9a-f]{3,8}$/i;
const MAX_INCLUDES = 8;
const MAX_RULES = 5_000;

/** JSON with // and /* comments and trailing commas (what theme files are written in). */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')) as unknown;
}

/** Where the string starting at `start` (a quote) ends, just past its closing quote. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

/** The rules of the theme file at `file` and of those it includes. */
export async function loadThemeRules(file: string, read: (file: string) => Promise<string>, depth = 0): Promise<ThemeRules> {
  if (depth > MAX_INCLUDES) throw new Error(`${file}: themes include each other too deeply`);
  const theme = parseJsonc(await read(file));
  if (!isObject(theme)) throw new Error(`${file}: not a theme (no JSON object)`);
  const parent = typeof theme.include === 'string' ? await loadThemeRules(path.resolve(path.dirname(file), theme.include), read, depth + 1) : { rules: [] };
  let own: TokenColorRule[] = [];
  if (Array.isArray(theme.tokenColors)) own = cleanRules(theme.tokenColors);
  else if (typeof theme.tokenColors === 'string' && theme.tokenColors.toLowerCase().endsWith('.json')) {
    const colors = parseJsonc(await read(path.resolve(path.dirname(file), theme.tokenColors)));
    own = cleanRules(isObject(colors) && Array.isArray(colors.tokenColors) ? colors.tokenColors : colors);
  }
  const colors = isObject(theme.colors) ? theme.colors : {};
  const fg = hex(colors['editor.foreground']) ?? parent.fg;
  const bg = hex(colors['editor.background']) ?? parent.bg;
  return { rules: [...parent.rules, ...own].slice(-MAX_RULES), ...(fg ? { fg } : {}), ...(bg ? { bg } : {}) };
}

/** The well-formed rules of a tokenColors array: a scope (or none: the defaults) and #hex colours. */
export function cleanRules(value: unknown): TokenColorRule[] {
  if (!Array.isArray(value)) return [];
  const rules: TokenColorRule[] = [];
  for (const item of value.slice(0, MAX_RULES)) {
    if (!isObject(item) || !isObject(item.settings)) continue;
    const scope = cleanScope(item.scope);
    if (scope === null) continue;
    const settings: TokenColorRule['settings'] = {};
    const foreground = hex(item.settings.foreground);
    const background = hex(item.settings.background);
    if (foreground) settings.foreground = foreground;
    if (background) settings.background = background;
    if (typeof item.settings.fontStyle === 'string' && /^[a-z ]{0,60}$/.test(item.settings.fontStyle)) settings.fontStyle = item.settings.fontStyle;
    if (Object.keys(settings).length === 0) continue;
    rules.push({ ...(scope !== undefined ? { scope } : {}), settings });
  }
  return rules;
}

/** A rule's scope: a string, a list of strings, or none; null when it is something else. */
function cleanScope(scope: unknown): string | string[] | undefined | null {
  if (scope === undefined) return undefined;
  if (typeof scope === 'string') return scope.slice(0, 2_000);
  if (Array.isArray(scope) && scope.every((s) => typeof s === 'string')) return scope.slice(0, 200).map((s: string) => s.slice(0, 500));
  return null;
}

/** What VS Code's short customization keys colour (as its theme service maps them). */
const SHORT_KEYS: Record<string, string[]> = {
  comments: ['comment', 'punctuation.definition.comment'],
  strings: ['string', 'meta.embedded.assembly'],
  keywords: ['keyword - keyword.operator', 'keyword.control', 'storage', 'storage.type'],
  numbers: ['constant.numeric'],
  types: ['entity.name.type', 'entity.name.class', 'support.type', 'support.class'],
  functions: ['entity.name.function', 'support.function'],
  variables: ['variable', 'entity.name.variable'],
};

/**
 * The rules `editor.tokenColorCustomizations` adds for the theme called `label`: the general
 * ones, then those under "[label]" (which win).
 */
export function customizationRules(setting: unknown, label: string): TokenColorRule[] {
  if (!isObject(setting)) return [];
  const scoped = setting[`[${label}]`];
  return [...customizationsOf(setting), ...(isObject(scoped) ? customizationsOf(scoped) : [])];
}

function customizationsOf(block: Record<string, unknown>): TokenColorRule[] {
  const rules: TokenColorRule[] = [];
  for (const [key, scope] of Object.entries(SHORT_KEYS)) {
    const value = block[key];
    const settings = typeof value === 'string' ? { foreground: value } : value;
    rules.push(...cleanRules([{ scope, settings }]));
  }
  return [...rules, ...cleanRules(block.textMateRules)];
}

function hex(value: unknown): string | undefined {
  return typeof value === 'string' && HEX_COLOR.test(value) ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
