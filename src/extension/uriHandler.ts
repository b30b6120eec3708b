import * as vscode from 'vscode';
import type { Logger } from '../net/logger';
import { Disposable } from '../model/lifecycle';

/**
 * Links VS Code opens with this extension: `<scheme>://team-messenger.team-messenger/join?invite=tm1.…`
 * (what Invite Teammate… copies) runs the join, as Paste Invite… would with the same text. Other
 * paths are logged and left alone: a link is text from anyone, and nothing else is offered.
 */
export class JoinUriHandler extends Disposable implements vscode.UriHandler {
  constructor(
    private readonly run: (command: string, ...args: unknown[]) => PromiseLike<unknown>,
    private readonly logger: Logger,
  ) {
    super();
    this._register(vscode.window.registerUriHandler(this));
  }

  handleUri(uri: vscode.Uri): void {
    if (uri.path !== '/join') {
      this.logger.warn('ignored a link this extension does not know', { path: uri.path.slice(0, 100) });
      return;
    }
    // The whole query, not just `invite=`: a link cut or re-encoded on the way still says what is wrong.
    const invite = new URLSearchParams(uri.query).get('invite') ?? uri.query;
    this.logger.info('opening an invite link');
    void this.run('teamMessenger.joinInvite', invite);
  }
}
