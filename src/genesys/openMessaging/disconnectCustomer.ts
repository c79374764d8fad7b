import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger';
import { GenesysError, isGenesysError } from '../genesysError';
import { isNotFound } from './openMessagingApi';
import { inboundMessage, type ExternalCustomer } from './payloads';
import type { SessionSettings } from './sessionSettings';

/**
 * Ends a chat from the customer side: one courtesy message to the agent (`agentNotice`, by default
 * the customer-left notice), then the customer
 * participant PATCHed to `disconnected` (docs/genesys-protocol.md §6.6). A conversation or
 * participant Genesys no longer knows counts as ended.
 */
export async function disconnectCustomer(
  settings: SessionSettings,
  customer: ExternalCustomer,
  conversationId: string | undefined,
  logger: Logger,
  agentNotice: string = settings.customerLeftNotice,
): Promise<void> {
  if (conversationId === undefined || conversationId === '')
    throw new GenesysError('badRequest', 'the Open Messaging chat has no conversation id to end');
  let snapshot;
  try {
    snapshot = await settings.api.getConversation(conversationId);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  const customers = snapshot.participants.filter((p) => p.purpose === 'customer' && p.state !== 'disconnected');
  const participant = customers[customers.length - 1];
  if (participant === undefined) {
    logger.info('the customer participant had already left');
    return;
  }
  const time = new Date(settings.clock.now()).toISOString();
  await settings.api
    .sendMessage(inboundMessage(customer, { messageId: randomUUID(), time, text: agentNotice }))
    .catch((err: unknown) => {
      // The courtesy message is a nicety; routing must stop regardless.
      logger.warn({ err }, 'could not tell the agent the customer left');
    });
  try {
    await settings.api.disconnectParticipant(conversationId, participant.id);
  } catch (err) {
    if (isGenesysError(err) && err.status === 404) return;
    throw err;
  }
}
