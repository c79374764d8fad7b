import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type { GuestSender } from './guestSender';

/** What the agent sees when the guest leaves in `notice` end mode. */
export const LEFT_NOTICE_TEXT = 'The customer has left the chat.';

/** Options of {@link leaveAsGuest}. */
export interface LeaveAsGuestOptions {
  sender: GuestSender;
  logger: Logger;
  endMode: 'clear' | 'notice';
  /** False when the deployment disables Conversation Clear (docs/genesys-protocol.md §5.13). */
  clearAllowed: boolean;
  /** Called before a failed Clear rejects (the chat stays live). */
  onClearFailed: () => void;
}

/**
 * Leaves the conversation as the guest: Conversation Clear in `clear` mode when the deployment allows
 * it (a 403 falls back to the notice), else the {@link LEFT_NOTICE_TEXT} message. Rejects with the
 * {@link GenesysError} of a send or of a Clear that failed for another reason than 403.
 */
export async function leaveAsGuest(options: LeaveAsGuestOptions): Promise<void> {
  const { sender, logger } = options;
  // [C] docs/genesys-protocol.md §5.11, §5.13: Clear works only when the deployment enables it.
  if (options.endMode === 'clear' && !options.clearAllowed) {
    logger.info('Conversation Clear is disabled for this deployment; ending with a notice');
    await sender.sendTextPart(LEFT_NOTICE_TEXT);
  } else if (options.endMode === 'clear') {
    try {
      await sender.clear();
    } catch (err) {
      if (!(err instanceof GenesysError && err.status === 403)) {
        options.onClearFailed();
        throw err;
      }
      logger.info(
        { status: err.status },
        'Conversation Clear is disabled for this deployment; ending with a notice instead',
      );
      await sender.sendTextPart(LEFT_NOTICE_TEXT);
    }
  } else {
    await sender.sendTextPart(LEFT_NOTICE_TEXT);
  }
}

/**
 * Clears the conversation of a chat that could not start, so it does not wait in a queue for nobody
 * (docs/genesys-protocol.md §5.11), when the chat is live and the deployment allows Clear. Never rejects.
 */
export async function clearAbandoned(
  sender: GuestSender,
  logger: Logger,
  live: boolean,
  clearAllowed: boolean,
): Promise<void> {
  if (live && clearAllowed) {
    try {
      await sender.clearOnce();
      logger.info('cleared the conversation of a chat that could not start');
    } catch (err) {
      logger.warn({ err }, 'could not clear the conversation of a chat that could not start');
    }
  } else if (live) {
    logger.warn('Conversation Clear is disabled: a chat that could not start may wait in the queue');
  }
}
