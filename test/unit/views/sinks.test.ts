import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * VS Code sinks that render markdown links or `$(icons)` are reached only through
 * src/views/safeWindow.ts, whose parameters take `inert` text or string literals. This scan fails
 * when any other source file calls them directly, so peer text cannot reach one unescaped again.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SAFE_WINDOW = 'src/views/safeWindow.ts';

/** `vscode.window` members that show no text of ours, or only through their own safe types. */
const WINDOW_ALLOWED = new Set([
  'activeTextEditor',
  'activeColorTheme',
  'onDidChangeActiveColorTheme',
  'visibleTextEditors',
  'onDidChangeActiveTextEditor',
  'onDidChangeWindowState',
  'onDidChangeTextEditorSelection',
  'state',
  'showTextDocument',
  'showOpenDialog',
  'createOutputChannel',
  'registerWebviewPanelSerializer',
  'registerUriHandler',
  'tabGroups',
  'activeTerminal',
  'terminals',
]);

/** Constructors that render what they are given (tree items, markdown). */
const FORBIDDEN_CONSTRUCTORS = new Set(['TreeItem', 'MarkdownString']);

export interface SinkViolation {
  file: string;
  line: number;
  what: string;
}

/** The direct uses of VS Code sinks in one source file. */
export function findSinkViolations(file: string, source: string): SinkViolation[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: SinkViolation[] = [];
  const vscodeNames = new Set<string>();
  const report = (node: ts.Node, what: string) => found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, what });

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === 'vscode') {
      const clause = node.importClause;
      if (clause?.name) vscodeNames.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) vscodeNames.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (imported === 'window' || FORBIDDEN_CONSTRUCTORS.has(imported)) report(element, `imports ${imported} from vscode`);
        }
      }
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && vscodeNames.has(node.expression.text)) {
      const member = node.name.text;
      if (member === 'window') {
        const parent = node.parent;
        if (!ts.isPropertyAccessExpression(parent) || parent.expression !== node) report(node, 'vscode.window used as a value');
        else if (!WINDOW_ALLOWED.has(parent.name.text)) report(parent, `vscode.window.${parent.name.text}`);
      }
      if (FORBIDDEN_CONSTRUCTORS.has(member) && ts.isNewExpression(node.parent)) report(node, `new vscode.${member}`);
    }
    if (ts.isElementAccessExpression(node) && ts.isIdentifier(node.expression) && vscodeNames.has(node.expression.text)) report(node, 'vscode[…]');
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isIdentifier(node.initializer) && vscodeNames.has(node.initializer.text)) {
      report(node, 'vscode aliased or destructured');
    }
    if (ts.isPropertyAssignment(node) || ts.isBinaryExpression(node)) {
      const name = ts.isPropertyAssignment(node) ? node.name : ts.isPropertyAccessExpression(node.left) ? node.left.name : undefined;
      if (name && ts.isIdentifier(name) && name.text === 'isTrusted') report(node, 'isTrusted (peer text is never in a trusted MarkdownString)');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

describe('VS Code sinks are reached only through safeWindow', () => {
  it('no source file but safeWindow.ts calls a notification, progress, quick pick, input box, status bar, tree or webview-title sink', () => {
    const files = sourceFiles(path.join(ROOT, 'src')).map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
    assert.ok(files.length > 50, `found only ${files.length} source files under ${ROOT}`);
    assert.ok(files.includes(SAFE_WINDOW));
    const violations = files.filter((f) => f !== SAFE_WINDOW).flatMap((f) => findSinkViolations(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    assert.deepEqual(
      violations.map((v) => `${v.file}:${v.line} ${v.what}`),
      [],
      'use the functions of src/views/safeWindow.ts with inert`…` text instead',
    );
  });

  it('safeWindow.ts itself reaches those sinks (the scan looks where they are)', () => {
    const found = findSinkViolations(SAFE_WINDOW, fs.readFileSync(path.join(ROOT, SAFE_WINDOW), 'utf8')).map((v) => v.what);
    for (const sink of [
      'showInformationMessage',
      'showWarningMessage',
      'showErrorMessage',
      'withProgress',
      'showQuickPick',
      'createQuickPick',
      'showInputBox',
      'createStatusBarItem',
      'createTreeView',
      'createWebviewPanel',
    ]) {
      assert.ok(found.includes(`vscode.window.${sink}`), sink);
    }
    assert.ok(found.includes('new vscode.TreeItem'));
  });

  it('catches every way around it', () => {
    const cases: [string, string][] = [
      ["import * as vscode from 'vscode';\nvoid vscode.window.showInformationMessage(`${name}: hi`);", 'vscode.window.showInformationMessage'],
      ["import * as vs from 'vscode';\nvs.window.withProgress({ location: 15, title: t }, async () => {});", 'vscode.window.withProgress'],
      ["import * as vscode from 'vscode';\nconst w = vscode.window;\nw.showErrorMessage(x);", 'vscode.window used as a value'],
      ["import * as vscode from 'vscode';\nconst { window } = vscode;", 'vscode aliased or destructured'],
      ["import { window } from 'vscode';\nwindow.showWarningMessage(x);", 'imports window from vscode'],
      ["import { window as w } from 'vscode';", 'imports window from vscode'],
      ["import * as vscode from 'vscode';\nvscode['window'].showInformationMessage(x);", 'vscode[…]'],
      ["import * as vscode from 'vscode';\nconst q = vscode.window.createQuickPick();", 'vscode.window.createQuickPick'],
      ["import * as vscode from 'vscode';\nconst t = new vscode.TreeItem(name);", 'new vscode.TreeItem'],
      ["import * as vscode from 'vscode';\nconst m = new vscode.MarkdownString(text);", 'new vscode.MarkdownString'],
      ["import { MarkdownString } from 'vscode';", 'imports MarkdownString from vscode'],
      ["import * as vscode from 'vscode';\nmd.isTrusted = true;", 'isTrusted (peer text is never in a trusted MarkdownString)'],
      ["import * as vscode from 'vscode';\nconst s = vscode.window.createStatusBarItem();", 'vscode.window.createStatusBarItem'],
    ];
    for (const [source, what] of cases) {
      assert.deepEqual(
        findSinkViolations('case.ts', source).map((v) => v.what),
        [what],
        source,
      );
    }
    assert.deepEqual(findSinkViolations('ok.ts', "import * as vscode from 'vscode';\nconst e = vscode.window.activeTextEditor;"), []);
  });
});
