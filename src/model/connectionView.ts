/** What the chat panel's banner shows of the connection (no imports: the webview reads it). */
export interface ConnectionView {
  state: 'disconnected' | 'connecting' | 'connected' | 'reconnecting';
  /** One line for people: "Connected to host:9999 · 3 online", "Reconnecting…". */
  text: string;
}
