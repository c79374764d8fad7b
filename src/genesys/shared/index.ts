/**
 * Plumbing every Genesys provider is built on, so a provider is mostly protocol code: option
 * checks, the ordered event path, guest sends and typing, de-duplication, what counts as already
 * delivered on resume, and HTTP failures as `GenesysError`s.
 */
export { BoundedIdSet } from './boundedIdSet';
export { systemClock, type Clock } from './clock';
export { ChatEventPipeline } from './eventPipeline';
export {
  HttpFailureCause,
  codeForHttpStatus,
  httpNetworkError,
  httpStatusError,
  parseRetryAfter,
  pathOf,
  summarizeBody,
  type HttpErrorAnswer,
  type HttpRequestSummary,
} from './httpFailure';
export { DeliveredMark, type DeliveryCandidate } from './alreadyDelivered';
export { OptionsValidator, SHARED_PROVIDER_DEFAULTS } from './providerOptions';
export { Pacer } from './pacer';
export { SendQueue } from './sendQueue';
export { SessionRegistry, resumeDataFor } from './sessionRegistry';
export { TypingThrottle } from './typingThrottle';
