/**
 * The Open Messaging simulator (docs/genesys-protocol.md §6): an independent model of the Genesys
 * Cloud side for tests, the benchmark and the local demo.
 */
export {
  OpenMessagingSimulator,
  type AgentLeaveOptions,
  type AgentSendOptions,
  type AgentTransferOptions,
  type OpenMessagingSimulatorEvents,
  type OpenMessagingSimulatorOptions,
  type OpenMessagingStats,
  type SimulatedIntegration,
  type SimulatedTriggerTarget,
  type SimulatedUser,
  type TypingSetting,
} from './openMessagingSimulator';
export type { InboundLimits } from './inboundValidation';
export * from './model';
export type { NotificationsSettings, TopicSubscription } from '../kit/notificationsService';
export type { SimulatedOAuthClient } from '../kit/oauthTokens';
export { signWebhookBody, type WebhookAttempt, type WebhookKnobs, type WebhookPolicy } from './webhookDelivery';
