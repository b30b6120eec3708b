import type { TeamClient } from '../net/client/teamClient';
import type { Logger } from '../net/logger';
import type { Attachment, FileRequestIn } from '../net/protocol/richMessages';
import type { IncomingTransfer } from '../net/transfer/incomingTransfer';
import type { AttachmentStore, StoredFile } from './attachmentStore';
import { conversationIdForKey, conversationKeyFor } from './conversationIds';
import type { ConversationId, ConversationMessage } from './conversationTypes';
import { Disposable, Emitter, Event } from './lifecycle';

/** Where the exchange gets the client from (the extension's ConnectionManager). */
export interface ExchangeSource {
  readonly client: TeamClient | undefined;
  readonly onDidCreateClient: Event<TeamClient>;
}

/** What the exchange needs of the model: whose messages these are, and a message by id. */
export interface ExchangeModel {
  readonly selfId: string;
  /** A message held here, or asked of the relay (an older page); undefined when neither has it. */
  findMessage(conversationId: ConversationId, messageId: string): Promise<ConversationMessage | undefined>;
  /** A message held here (answering a request must not wait on the relay). */
  heldMessage(conversationId: ConversationId, messageId: string): ConversationMessage | undefined;
}

export type FetchState = 'fetching' | 'ready' | 'failed';

export interface AttachmentChange {
  conversationId: ConversationId;
  messageId: string;
  attachmentId: string;
  state: FetchState;
  error?: string;
}

/** How long a reader waits for the author's offer once the relay passed the request on. */
const ANSWER_MS = 60_000;
/** Offers answered at once to one reader (a reader cannot make the author send without end). */
const ANSWERS_PER_READER = 4;

interface Waiting {
  conversationId: ConversationId;
  messageId: string;
  attachment: Attachment;
  author: string;
  authorName: string;
  settle(result: { file: StoredFile } | { error: string }): void;
}

/**
 * Attachments between their author and their readers. A reader's `fetch` asks the author
 * (through the relay, which checks the reader may read the message) and takes the author's
 * answering offer only if it matches the request (from the author, one file of the right size);
 * the file lands in the store and is kept only if its SHA-256 is the one the message names. The
 * author's side answers requests for its own messages' attachments from the store. No `vscode`.
 */
export class AttachmentExchange extends Disposable {
  private readonly waiting = new Map<string, Waiting>();
  private readonly fetches = new Map<string, Promise<StoredFile>>();
  private readonly answering = new Map<string, number>();
  private readonly changed = this._register(new Emitter<AttachmentChange>());
  /** A fetch started, finished or failed. */
  readonly onDidChange = this.changed.event;
  private detach: (() => void) | undefined;

  constructor(
    private readonly source: ExchangeSource,
    private readonly model: ExchangeModel,
    private readonly store: AttachmentStore,
    private readonly logger: Logger,
    private readonly answerMs = ANSWER_MS,
  ) {
    super();
    this._register(source.onDidCreateClient((client) => this.attach(client)));
    if (source.client) this.attach(source.client);
    this._register({ dispose: () => this.detach?.() });
  }

  /**
   * The attachment's file: from the store when it is here, else asked of its author. Rejects with
   * a sentence for the user (the author is offline, did not answer, sent something else).
   */
  fetch(conversationId: ConversationId, messageId: string, attachmentId: string): Promise<StoredFile> {
    const key = keyOf(conversationId, messageId, attachmentId);
    const running = this.fetches.get(key);
    if (running) return running;
    const change = (state: FetchState, error?: string) =>
      this.changed.fire({ conversationId, messageId, attachmentId, state, ...(error !== undefined ? { error } : {}) });
    const fetching = this.fetchFresh(conversationId, messageId, attachmentId, key, () => change('fetching')).then(
      (file) => {
        change('ready');
        return file;
      },
      (err: Error) => {
        change('failed', err.message);
        throw err;
      },
    );
    this.fetches.set(key, fetching);
    void fetching.then(
      () => this.fetches.delete(key),
      () => this.fetches.delete(key),
    );
    return fetching;
  }

  private async fetchFresh(conversationId: ConversationId, messageId: string, attachmentId: string, key: string, started: () => void): Promise<StoredFile> {
    const message = await this.model.findMessage(conversationId, messageId);
    const attachment = message?.attachments?.find((a) => a.id === attachmentId);
    if (!message || !attachment) throw new Error('That attachment is not in the message any more.');
    const here = await this.store.get(attachment.sha256);
    if (here) return here;
    if (message.own && message.from === this.model.selfId) {
      throw new Error(`${attachment.name} is not kept on this machine (it was sent from another one, or cleared to save space).`);
    }
    const client = this.source.client;
    if (!client || client.state !== 'connected') throw new Error(`Not connected: ${attachment.name} can be fetched from ${message.fromName} once connected.`);
    started();
    const answered = new Promise<{ file: StoredFile } | { error: string }>((settle) => {
      this.waiting.set(key, { conversationId, messageId, attachment, author: message.from, authorName: message.fromName, settle });
    });
    const timer = setTimeout(
      () => this.settle(key, { error: `${message.fromName} did not send ${attachment.name}: they may no longer have it.` }),
      this.answerMs,
    );
    try {
      await client.requestAttachment(conversationKeyFor(conversationId, this.model.selfId), messageId, attachmentId).catch((err: Error & { code?: string }) => {
        this.settle(key, { error: refusal(err, message.fromName, attachment.name) });
      });
      const result = await answered;
      if ('error' in result) throw new Error(result.error);
      return result.file;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(key);
    }
  }

  private settle(key: string, result: { file: StoredFile } | { error: string }): void {
    const waiting = this.waiting.get(key);
    this.waiting.delete(key);
    waiting?.settle(result);
  }

  private attach(client: TeamClient): void {
    this.detach?.();
    const onRequest = (request: FileRequestIn) => void this.answer(client, request);
    const onOffer = (transfer: IncomingTransfer) => void this.onOffer(transfer);
    client.on('file-request', onRequest);
    client.on('file-offer', onOffer);
    this.detach = () => {
      client.off('file-request', onRequest);
      client.off('file-offer', onOffer);
    };
  }

  /** An offer that answers one of our requests is taken into the store; any other attachment offer is declined. */
  private async onOffer(transfer: IncomingTransfer): Promise<void> {
    const offered = transfer.attachment;
    if (!offered) return; // an ordinary offer: the file cards have it
    const conversationId = conversationIdForKey(offered.conv, this.model.selfId);
    const key = conversationId !== undefined ? keyOf(conversationId, offered.message, offered.attachment) : '';
    const waiting = this.waiting.get(key);
    const file = transfer.files.length === 1 ? transfer.files[0] : undefined;
    if (!waiting || transfer.from !== waiting.author || !file || file.size !== waiting.attachment.size) {
      this.logger.info('declined an attachment offer nobody here asked for', { from: transfer.from, message: offered.message });
      transfer.decline('not asked for');
      return;
    }
    // One answer is enough (the author's other machines may answer too).
    this.waiting.delete(key);
    const staging = await this.store.staging();
    try {
      await transfer.accept({ dir: staging, maxFileBytes: waiting.attachment.size, maxTotalBytes: waiting.attachment.size });
      await transfer.done;
      waiting.settle({ file: await this.store.adopt(staging, waiting.attachment.sha256) });
    } catch (err) {
      await this.store.discard(staging).catch(() => undefined);
      waiting.settle({ error: `Could not get ${waiting.attachment.name} from ${waiting.authorName}: ${(err as Error).message}` });
    }
  }

  /** A reader asks for an attachment of one of our messages: offer it when this machine has it. */
  private async answer(client: TeamClient, request: FileRequestIn): Promise<void> {
    const conversationId = conversationIdForKey(request.conv, client.clientId);
    const held = conversationId !== undefined ? this.model.heldMessage(conversationId, request.message) : undefined;
    if (held && (!held.own || held.from !== client.clientId)) return;
    const named = held?.attachments?.find((a) => a.id === request.attachment);
    if (held && !named) return;
    // Not held (an old message): the relay checked that the message has this attachment, and our ids are hash prefixes.
    const file = named ? await this.store.get(named.sha256) : await this.store.findByPrefix(request.attachment);
    if (!file) {
      this.logger.info('asked for an attachment this machine does not have', { from: request.from, message: request.message });
      return;
    }
    const busy = this.answering.get(request.from) ?? 0;
    if (busy >= ANSWERS_PER_READER) return;
    this.answering.set(request.from, busy + 1);
    try {
      const transfer = await client.sendFiles(request.from, [file.path], {
        attachment: { conv: request.conv, message: request.message, attachment: request.attachment },
      });
      await transfer.done;
    } catch (err) {
      this.logger.info('could not send an attachment', { to: request.from, error: (err as Error).message });
    } finally {
      const left = (this.answering.get(request.from) ?? 1) - 1;
      if (left > 0) this.answering.set(request.from, left);
      else this.answering.delete(request.from);
    }
  }
}

function keyOf(conversationId: ConversationId, messageId: string, attachmentId: string): string {
  return `${conversationId}\n${messageId}\n${attachmentId}`;
}

/** The relay's refusal of a request, in words. */
function refusal(err: Error & { code?: string }, author: string, name: string): string {
  if (err.code === 'NO_SUCH_PEER') return `${author} is offline: ${name} can be fetched when they are back.`;
  if (err.code === 'NOT_FOUND') return `${name} cannot be fetched: the relay no longer has that message.`;
  return `Could not ask ${author} for ${name}: ${err.message}`;
}
