import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { CodeThemeView } from './chatProtocol';
import { fallbackCodeTheme } from './codeThemeFallback';
import { customizationRules, loadThemeRules } from './themeFiles';

/**
 * The user's current colour theme, as code blocks in the chat need it. VS Code gives extensions
 * only the theme's kind, so the theme is found by its setting among the extensions' contributed
 * themes and its file read (with its includes and the user's token colour customizations). When
 * it cannot be read, Dark+ or Light+ of the same kind stands in.
 */
export async function readCodeTheme(): Promise<CodeThemeView> {
  const kind = themeKind(vscode.window.activeColorTheme.kind);
  const label = activeThemeSetting(kind);
  const customizations = vscode.workspace.getConfiguration('editor').get<unknown>('tokenColorCustomizations');
  const found = label ? contributedTheme(label) : undefined;
  if (found) {
    try {
      const theme = await loadThemeRules(found.file, (file) => fs.promises.readFile(file, 'utf8'));
      if (theme.rules.length > 0) {
        const fallback = fallbackCodeTheme(kind);
        return {
          name: found.label,
          kind,
          fg: theme.fg ?? fallback.fg,
          bg: theme.bg ?? fallback.bg,
          tokenColors: [...theme.rules, ...customizationRules(customizations, found.label)],
          source: 'theme',
        };
      }
    } catch {
      // An unreadable or malformed theme file: the fallback below, never no colours at all.
    }
  }
  const fallback = fallbackCodeTheme(kind);
  return { ...fallback, tokenColors: [...fallback.tokenColors, ...customizationRules(customizations, label ?? '')] };
}

/** Whether a configuration change may change the colours of code. */
export function affectsCodeTheme(event: vscode.ConfigurationChangeEvent): boolean {
  return (
    event.affectsConfiguration('workbench.colorTheme') ||
    event.affectsConfiguration('editor.tokenColorCustomizations') ||
    event.affectsConfiguration('workbench.preferredDarkColorTheme') ||
    event.affectsConfiguration('workbench.preferredLightColorTheme') ||
    event.affectsConfiguration('workbench.preferredHighContrastColorTheme') ||
    event.affectsConfiguration('workbench.preferredHighContrastLightColorTheme')
  );
}

function themeKind(kind: vscode.ColorThemeKind): CodeThemeView['kind'] {
  switch (kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'hc-dark';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'hc-light';
    default:
      return 'dark';
  }
}

/** The theme VS Code shows now: the preferred one for the OS's scheme or contrast when it follows them. */
function activeThemeSetting(kind: CodeThemeView['kind']): string | undefined {
  const workbench = vscode.workspace.getConfiguration('workbench');
  const window = vscode.workspace.getConfiguration('window');
  if ((kind === 'hc-dark' || kind === 'hc-light') && window.get<boolean>('autoDetectHighContrast', true)) {
    const preferred = workbench.get<string>(kind === 'hc-dark' ? 'preferredHighContrastColorTheme' : 'preferredHighContrastLightColorTheme');
    if (preferred && matchesKind(preferred, kind)) return preferred;
  }
  if (window.get<boolean>('autoDetectColorScheme', false)) {
    const preferred = workbench.get<string>(kind === 'light' || kind === 'hc-light' ? 'preferredLightColorTheme' : 'preferredDarkColorTheme');
    if (preferred) return preferred;
  }
  return workbench.get<string>('colorTheme');
}

function matchesKind(label: string, kind: CodeThemeView['kind']): boolean {
  const theme = contributedTheme(label);
  return !theme || uiThemeKind(theme.uiTheme) === kind;
}

function uiThemeKind(uiTheme: string | undefined): CodeThemeView['kind'] {
  if (uiTheme === 'vs') return 'light';
  if (uiTheme === 'hc-black') return 'hc-dark';
  if (uiTheme === 'hc-light') return 'hc-light';
  return 'dark';
}

interface ContributedTheme {
  label: string;
  file: string;
  uiTheme?: string;
}

/** The contributed theme the setting names (by id or label, as VS Code accepts both). */
function contributedTheme(name: string): ContributedTheme | undefined {
  for (const extension of vscode.extensions.all) {
    const themes: unknown = (extension.packageJSON as { contributes?: { themes?: unknown } } | undefined)?.contributes?.themes;
    if (!Array.isArray(themes)) continue;
    for (const theme of themes as { id?: unknown; label?: unknown; path?: unknown; uiTheme?: unknown }[]) {
      if (typeof theme.path !== 'string' || (theme.id !== name && theme.label !== name)) continue;
      const file = path.resolve(extension.extensionPath, theme.path);
      // A theme's file lives in its own extension's folder.
      if (!file.startsWith(path.resolve(extension.extensionPath) + path.sep)) continue;
      return { label: typeof theme.label === 'string' ? theme.label : name, file, ...(typeof theme.uiTheme === 'string' ? { uiTheme: theme.uiTheme } : {}) };
    }
  }
  return undefined;
}
