import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

/**
 * Runs test/vscode/suite in a desktop VS Code with the extension loaded from this folder.
 *
 *   VSCODE_EXECUTABLE=/path/to/code npm run test:vscode
 *
 * Without VSCODE_EXECUTABLE, @vscode/test-electron downloads a VS Code build (needs network).
 * The offline, in-CI check of the real UI is the end-to-end suite (npm run test:e2e).
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../../..');
  const executable = process.env.VSCODE_EXECUTABLE;
  const code = await runTests({
    ...(executable ? { vscodeExecutablePath: executable } : {}),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
  process.exitCode = code;
}

main().catch((err: unknown) => {
  console.error('VS Code tests could not run:', err instanceof Error ? err.message : err);
  console.error('Point VSCODE_EXECUTABLE at a desktop VS Code (code, code-insiders or the binary in a VS Code folder).');
  process.exitCode = 1;
});
