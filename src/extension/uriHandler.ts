import * as vscode from 'vscode';
import { type LinkRoutes, routeUri } from './linkOpener';
import { Disposable } from '../model/lifecycle';

/**
 * Links VS Code opens with this extension (`<scheme>://team-messenger.team-messenger/…`): invite
 * links join the team, message links open the message, anything else is left alone (see
 * linkOpener.ts, where they are routed and checked).
 */
export class TeamUriHandler extends Disposable implements vscode.UriHandler {
  constructor(private readonly routes: LinkRoutes) {
    super();
    this._register(vscode.window.registerUriHandler(this));
  }

  handleUri(uri: vscode.Uri): void {
    routeUri({ authority: uri.authority, path: uri.path, query: uri.query }, this.routes);
  }
}
