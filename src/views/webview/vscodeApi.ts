import type { FromWebview } from '../chatProtocol';

/** What VS Code gives a webview script; `acquireVsCodeApi` may be called only once. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

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
