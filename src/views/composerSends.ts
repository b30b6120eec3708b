import { mayHaveFileLocations } from '../model/code/fileLocations';
import type { TextLink } from '../net/protocol/codeMessages';

/**
 * The composer's messages, sent in the order the user sent them although finding the typed
 * `path:line` links of one (issue 28: where each points in this workspace) takes a moment: a
 * message with none and nothing waiting before it goes at once, any other waits its turn.
 */
export class ComposerSends {
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly linksFor: (text: string) => Promise<TextLink[]>) {}

  /** Calls `deliver` with the text's links (none when finding them failed), after every earlier message's. */
  send(text: string, deliver: (links: TextLink[]) => void): void {
    const lookUp = mayHaveFileLocations(text);
    if (this.waiting === 0 && !lookUp) return deliver([]);
    this.waiting++;
    const links = lookUp ? this.linksFor(text).catch((): TextLink[] => []) : Promise.resolve([]);
    this.queue = this.queue.then(async () => {
      try {
        deliver(await links);
      } finally {
        this.waiting--;
      }
    });
  }
}
