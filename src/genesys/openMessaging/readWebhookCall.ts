import type { Logger } from '../../logger';
import { parseOutboundWebhook, WebhookPayloadError, type OutboundWebhook } from './payloads';
import { verifyWebhookSignature } from './webhookSignature';

/** What the webhook route answers. */
export interface WebhookAnswer {
  /**
   * 503: the chat could not be taken over now, or is still being opened on another instance;
   * Genesys calls again (docs/genesys-protocol.md §6.3).
   */
  status: 200 | 400 | 401 | 503;
  /** What happened, for the route's log line (never message content). */
  outcome:
    | 'relayed'
    | 'duplicate'
    | 'unknownConversation'
    | 'notYetKnown'
    | 'ignored'
    | 'badSignature'
    | 'badPayload'
    | 'unavailable';
}

/**
 * Reads one webhook call (docs/genesys-protocol.md §6.3): the signature over the raw bytes is
 * checked first and nothing else is read from a call that fails it (401); a body that is not JSON
 * or does not follow the protocol is 400; a valid call of a kind the bot does not relay is 200
 * `ignored`. Otherwise gives the parsed payload.
 */
export function readWebhookCall(
  rawBody: Buffer,
  signature: unknown,
  webhookSecret: string,
  logger: Logger,
): { answer: WebhookAnswer } | { payload: OutboundWebhook } {
  if (!verifyWebhookSignature(rawBody, signature, webhookSecret)) {
    logger.warn('refused a webhook call with a missing or wrong signature');
    return { answer: { status: 401, outcome: 'badSignature' } };
  }
  let payload;
  try {
    payload = parseOutboundWebhook(JSON.parse(rawBody.toString('utf8')) as unknown);
  } catch (err) {
    const reason = err instanceof WebhookPayloadError ? err.message : 'the body is not JSON';
    logger.warn({ reason }, 'refused a webhook call that does not follow the protocol');
    return { answer: { status: 400, outcome: 'badPayload' } };
  }
  if (payload === undefined) return { answer: { status: 200, outcome: 'ignored' } };
  return { payload };
}
