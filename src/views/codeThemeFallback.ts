import type { CodeThemeView, TokenColorRule } from './chatProtocol';

/**
 * The colours code blocks take when the active theme's file cannot be read (a theme from a
 * .tmTheme file, an extension gone since): VS Code's own Dark+ or Light+ core rules, by the kind
 * of the active theme, so code still looks like code in a theme of the right brightness.
 */

type Palette = Record<
  'comment' | 'string' | 'number' | 'keyword' | 'control' | 'operator' | 'function' | 'type' | 'variable' | 'constant' | 'tag' | 'attribute' | 'regexp',
  string
>;

const DARK: Palette = {
  comment: '#6A9955',
  string: '#CE9178',
  number: '#B5CEA8',
  keyword: '#569CD6',
  control: '#C586C0',
  operator: '#D4D4D4',
  function: '#DCDCAA',
  type: '#4EC9B0',
  variable: '#9CDCFE',
  constant: '#4FC1FF',
  tag: '#569CD6',
  attribute: '#9CDCFE',
  regexp: '#D16969',
};

const LIGHT: Palette = {
  comment: '#008000',
  string: '#A31515',
  number: '#098658',
  keyword: '#0000FF',
  control: '#AF00DB',
  operator: '#000000',
  function: '#795E26',
  type: '#267F99',
  variable: '#001080',
  constant: '#0070C1',
  tag: '#800000',
  attribute: '#E50000',
  regexp: '#811F3F',
};

function rules(p: Palette): TokenColorRule[] {
  const rule = (scope: string[], foreground: string, fontStyle?: string): TokenColorRule => ({
    scope,
    settings: { foreground, ...(fontStyle ? { fontStyle } : {}) },
  });
  return [
    rule(['comment', 'punctuation.definition.comment'], p.comment),
    rule(['string', 'punctuation.definition.string'], p.string),
    rule(['constant.numeric'], p.number),
    rule(['keyword', 'storage', 'storage.type', 'constant.language', 'variable.language'], p.keyword),
    rule(['keyword.control', 'keyword.other.using', 'keyword.other.operator'], p.control),
    rule(['keyword.operator'], p.operator),
    rule(['entity.name.function', 'support.function'], p.function),
    rule(['entity.name.type', 'entity.name.class', 'support.type', 'support.class', 'entity.other.inherited-class'], p.type),
    rule(['variable', 'meta.definition.variable.name', 'support.variable', 'entity.name.variable', 'variable.parameter'], p.variable),
    rule(['variable.other.constant', 'variable.other.enummember'], p.constant),
    rule(['entity.name.tag'], p.tag),
    rule(['entity.other.attribute-name', 'support.type.property-name'], p.attribute),
    rule(['string.regexp'], p.regexp),
    rule(['markup.heading'], p.keyword, 'bold'),
    rule(['markup.italic'], p.operator, 'italic'),
    rule(['markup.bold'], p.operator, 'bold'),
    rule(['markup.inserted'], p.number),
    rule(['markup.deleted'], p.string),
  ];
}

export function fallbackCodeTheme(kind: CodeThemeView['kind']): CodeThemeView {
  const light = kind === 'light' || kind === 'hc-light';
  const fg = kind === 'hc-dark' ? '#FFFFFF' : kind === 'hc-light' ? '#292929' : light ? '#000000' : '#D4D4D4';
  const bg = kind === 'hc-dark' ? '#000000' : light ? '#FFFFFF' : '#1E1E1E';
  return { name: light ? 'Light+' : 'Dark+', kind, fg, bg, tokenColors: rules(light ? LIGHT : DARK), source: 'fallback' };
}
