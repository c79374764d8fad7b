import type { Logger } from '../../logger';
import type { ChatEvent } from '../handoffProvider';
import { LinkWatch } from './linkWatch';
import { SessionLifetime } from './sessionLifetime';
import type { SessionResilience } from './sessionSettings';

/** The watches of one session: link outages and the session lifetime. */
export interface SessionWatches {
  link: LinkWatch;
  lifetime: SessionLifetime;
}

/**
 * Creates the watches of one session, telling the user (`linkDown`, `linkRestored`, `sessionExpiring`
 * events through `emit`) when the link stays down, comes back, or the session is about to expire.
 */
export function sessionWatches(
  resilience: SessionResilience,
  now: () => number,
  logger: Logger,
  emit: (event: ChatEvent) => void,
): SessionWatches {
  const link = new LinkWatch({
    noticeAfterMs: resilience.linkDownNoticeMs,
    stableAfterMs: resilience.linkStableMs,
    giveUpAfterMs: resilience.reconnectGiveUpMs,
    now,
    onDown: (downForMs) => {
      logger.warn({ downForMs }, 'web messaging link down for a while; still reconnecting');
      emit({ kind: 'linkDown', downForMs });
    },
    onRestored: () => {
      logger.info('web messaging link restored');
      emit({ kind: 'linkRestored' });
    },
  });
  const lifetime = new SessionLifetime({
    noticeBeforeMs: resilience.expiryNoticeMs,
    now,
    onExpiring: (expiresInSeconds) => {
      logger.info({ expiresInSeconds }, 'web messaging session expires soon without a message');
      emit({ kind: 'sessionExpiring', expiresInSeconds });
    },
  });
  return { link, lifetime };
}
