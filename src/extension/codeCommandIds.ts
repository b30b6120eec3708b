/**
 * The commands of code-aware messages (issue 28), registered by codeMessagesWiring.ts; here
 * without `vscode` so the manifest test checks package.json's menus name them.
 */
export const CodeCommand = {
  sendChanges: 'teamMessenger.sendChanges',
  suggestEdit: 'teamMessenger.suggestEdit',
  sendTerminalSelection: 'teamMessenger.sendTerminalSelection',
  askAboutProblem: 'teamMessenger.askAboutProblem',
  /** The chat's Preview / Apply / `path:line` links (src/views/chatInbox.ts); hidden from the palette. */
  codeMessageAction: 'teamMessenger.codeMessageAction',
} as const;
