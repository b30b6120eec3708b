import type { HistoryRequest, SearchRequest } from '../net/protocol/conversationMessages';
import { seqOfMessageId } from '../net/protocol/conversationKeys';
import { ErrorCode } from '../net/protocol/errors';
import type { MessageChanges } from './messageChanges';
import type { RelayContext } from './relayContext';
import { notFound, Refusal, refuseRequest } from './requestRefusal';
import { parseSearch } from './searchQuery';
import type { Session } from './session';
import { countThatFit } from './wireBudget';

/** Hits a search answers with when the asker names no limit. */
const DEFAULT_SEARCH_RESULTS = 20;

/**
 * Scrollback and search, over what the asker may read and nothing else: a page of a
 * conversation it is not in is NOT_FOUND like one that does not exist, and a search never
 * finds, counts or hints at messages of conversations it is not in.
 */
export class HistoryRequests {
  constructor(
    private readonly ctx: RelayContext,
    private readonly changes: MessageChanges,
  ) {}

  history(session: Session, request: HistoryRequest): void {
    const { history, channels } = this.ctx;
    const clientId = session.clientId;
    if (!channels.canRead(clientId, request.conv)) return refuseRequest(session, request.n, notFound('conversation'));
    const around = request.around === undefined ? undefined : this.seqIn(clientId, request.conv, request.around, false);
    if (around instanceof Refusal) return refuseRequest(session, request.n, around);
    const thread = request.thread === undefined ? undefined : this.seqIn(clientId, request.conv, request.thread, true);
    if (thread instanceof Refusal) return refuseRequest(session, request.n, thread);
    const page = history.page(request.conv, { before: request.before, after: request.after, around, thread, limit: request.limit });
    let { messages, older, newer } = page;
    const fit = countThatFit(request.after !== undefined ? messages : [...messages].reverse());
    if (fit < messages.length) {
      // Too long for one frame: the part nearest where the asker is going, and say there is more.
      if (request.after !== undefined) [messages, newer] = [messages.slice(0, fit), true];
      else [messages, older] = [messages.slice(messages.length - fit), true];
    }
    session.connection.send({ t: 'history-result', n: request.n, conv: request.conv, messages, older, newer });
  }

  search(session: Session, request: SearchRequest): void {
    const { history, channels, audience } = this.ctx;
    const clientId = session.clientId;
    const parsed = parseSearch(request.query, {
      self: clientId,
      people: (name) => this.peopleNamed(name),
      // Only channels the asker sees: a hidden one reads like one that does not exist.
      channel: (name) => channels.byName(name, clientId)?.id,
    });
    if ('error' in parsed) return refuseRequest(session, request.n, new Refusal(ErrorCode.BadMessage, parsed.error));
    const answer = () => {
      // Asked before the index caught up: the asker may have left, or lost the right to read.
      if (session.state === 'closed') return;
      const found = history.search(parsed, audience.readerCheck(clientId), request.limit ?? DEFAULT_SEARCH_RESULTS, request.before);
      const fit = countThatFit(found.hits);
      const hits = fit < found.hits.length ? found.hits.slice(0, fit) : found.hits;
      session.connection.send({ t: 'search-result', n: request.n, hits, more: found.more || fit < found.hits.length });
    };
    const indexed = history.indexed();
    if (indexed) void indexed.then(answer);
    else answer();
  }

  /** The seq of message `id` in `conv` (for a thread: of its root), or NOT_FOUND. */
  private seqIn(clientId: string, conv: string, id: string, root: boolean): number | Refusal {
    const found = this.changes.locate(clientId, id);
    if (found instanceof Refusal) return found;
    if (found.conv !== conv) return notFound('message');
    const rootSeq = root && found.entry.thread !== undefined ? seqOfMessageId(found.entry.thread) : undefined;
    return rootSeq ?? found.seq;
  }

  /** The identities a search's `from:` or `in:@` may mean: an id, or the people of that name
   *  (case aside), or else those whose name starts so. */
  private peopleNamed(name: string): string[] {
    const { directory } = this.ctx;
    if (directory.has(name)) return [name];
    const wanted = name.toLowerCase();
    const exact: string[] = [];
    const starting: string[] = [];
    for (const peer of directory.all()) {
      const own = peer.name.toLowerCase();
      if (own === wanted) exact.push(peer.clientId);
      else if (own.startsWith(wanted)) starting.push(peer.clientId);
    }
    return exact.length > 0 ? exact : starting;
  }
}
