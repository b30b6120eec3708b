import * as path from 'node:path';
import Mocha from 'mocha';

/** Entry point VS Code calls inside its extension host: runs every *.vscode.test.js here. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: true });
  mocha.addFile(path.join(__dirname, 'extension.vscode.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
