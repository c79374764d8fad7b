import type { Logger } from '../../logger';
import { GenesysError } from '../genesysError';
import type { ChatEndReason } from '../handoffProvider';
import type { ServerFrame, StructuredMessage } from './frames';

/** Where {@link routeServerFrame} sends what a frame means. */
export interface FrameTarget {
  logger: Logger;
  /** An Outbound structured message (agent message or event). */
  onOutbound: (message: StructuredMessage) => void;
  /** The chat is over on the Genesys side. */
  onEnded: (reason: ChatEndReason, error?: GenesysError) => void;
  /** True when a `sessionCleared` frame answers the guest's own Clear (see {@link GuestSender.takeCleared}). */
  takeCleared: () => boolean;
}

/**
 * Handles one unsolicited server frame of a live session (docs/genesys-protocol.md §5.6): Outbound
 * messages, expiry (4006), Clear, connection closes and stray error frames; other frames are ignored.
 */
export function routeServerFrame(frame: ServerFrame, target: FrameTarget): void {
  const { logger } = target;
  switch (frame.kind) {
    case 'structuredMessage':
      if (frame.body.direction === 'Outbound') target.onOutbound(frame.body);
      return;
    case 'sessionExpired':
      target.onEnded(
        'expired',
        new GenesysError('sessionExpired', 'the Web Messaging session expired', { genesysCode: '4006' }),
      );
      return;
    case 'sessionCleared':
      // The answer to the guest's own Clear ends the chat through `end`.
      if (!target.takeCleared()) target.onEnded('cleared');
      return;
    case 'connectionClosed':
      // Genesys closes this connection (e.g. a 4th connection of the session); the socket reconnects.
      logger.info(
        { reason: frame.reason, reasonCode: frame.reasonCode },
        'Genesys closed this web messaging connection',
      );
      return;
    case 'errorString':
    case 'tooManyRequests':
      logger.warn({ code: frame.code }, 'unsolicited error frame from Web Messaging');
      return;
    default:
      logger.debug({ kind: frame.kind }, 'ignoring web messaging frame');
  }
}
