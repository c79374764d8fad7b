import type { Logger } from '../../logger';
import { isGenesysError } from '../genesysError';
import type { WebChatMessage } from './guestChatModels';
import type { GuestChatCredentials, GuestChatRestClient } from './guestChatRestClient';

/** How many history pages one catch-up reads at most (100 messages each). */
const MAX_BACKFILL_PAGES = 50;

/** Where a history read starts and what it does with each message. */
export interface HistoryReadOptions {
  rest: GuestChatRestClient;
  credentials: GuestChatCredentials;
  logger: Logger;
  /** Id of the last message already seen; `undefined` reads from the start. */
  after: string | undefined;
  /** Handles one message, oldest first; returns false to stop reading (the chat is over). */
  onMessage: (message: WebChatMessage) => Promise<boolean>;
}

/**
 * Reads the conversation's messages after `after`, oldest first (`GET .../messages`,
 * docs/genesys-protocol.md §3.5). A cursor Genesys does not know is dropped and history is read from
 * the start (ids de-duplicate it). Stops after {@link MAX_BACKFILL_PAGES} pages.
 */
export async function readHistoryAfter(options: HistoryReadOptions): Promise<void> {
  const { rest, credentials, logger } = options;
  let after = options.after;
  for (let page = 0; page < MAX_BACKFILL_PAGES; page++) {
    let list;
    try {
      list = await rest.getMessages(credentials, {
        ...(after === undefined ? {} : { after }),
        sortOrder: 'ascending',
        maxResults: 100,
      });
    } catch (err) {
      if (after === undefined || !isGenesysError(err) || err.code !== 'badRequest') throw err;
      logger.debug({ err }, 'history cursor refused; reading from the start');
      after = undefined;
      continue;
    }
    const last = list.entities.at(-1);
    if (last === undefined) return;
    for (const message of list.entities) {
      if (!(await options.onMessage(message))) return;
    }
    after = last.id;
  }
  logger.warn({ pages: MAX_BACKFILL_PAGES }, 'history backfill stopped at its page limit');
}
