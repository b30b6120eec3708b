/**
 * Flags for Debian's Chromium on these offline machines (checked in shared/real-vscode-host.md):
 * no sandbox as root, and no background networking, which the closed network would refuse.
 * Shared by the webview tests and the end-to-end harness.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
