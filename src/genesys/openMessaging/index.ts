/** The Open Messaging provider (docs/genesys-protocol.md §6). */
export { isTransferDisconnect, readDetailEvent, conversationVerdict, TRANSFER_DISCONNECT_TYPES } from './endDecision';
export {
  OpenMessagingProvider,
  type ChatAdopter,
  NOTIFICATIONS_DUTY,
  type OpeningChatCheck,
  openMessagingUrlsFor,
  type OpenMessagingProviderOptions,
  type WebhookAnswer,
} from './openMessagingProvider';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER } from './webhookSignature';
