/**
 * What the buttons and links of a code-aware message ask the extension (issue 28). The
 * extension looks the message up itself: a location is named by its index among the message's
 * `path:line`s (found again on its side), never by a path from the page.
 */
export type CodeRequest = { type: 'preview-patch' } | { type: 'apply-patch' } | { type: 'open-location'; index: number };

/** `index` of the problem's own location (its header), as opposed to one in the text. */
export const PROBLEM_LOCATION = -1;

export type CodeAction = (messageId: string, request: CodeRequest) => void;
