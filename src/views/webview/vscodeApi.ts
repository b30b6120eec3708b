import type { FromWebview } from '../chatProtocol';

/** What VS Code gives a webview script; `acquireVsCodeApi` may be called only once. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The formatter is a bundle of its own (esbuild.js) with its own copy of this module: the API,
 *  which can be acquired only once, is kept on the page's global object for the copies to share. */
const page = globalThis as { teamMessengerVsCodeApi?: VsCodeApi };
const api = (page.teamMessengerVsCodeApi ??= acquireVsCodeApi());

/** The only way this script talks to the extension: typed against the protocol. */
export function post(message: FromWebview): void {
  api.postMessage(message);
}

export function loadState(): unknown {
  return api.getState();
}

export function saveState(state: unknown): void {
  api.setState(state);
}
