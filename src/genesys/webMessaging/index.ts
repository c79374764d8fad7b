/** Web Messaging Guest API provider (docs/genesys-protocol.md §5). */
export { WebMessagingProvider, webMessagingUrlsFor, type WebMessagingProviderOptions } from './webMessagingProvider';
export {
  WebMessagingSession,
  LEFT_NOTICE_TEXT,
  MAX_TEXT_BYTES,
  MAX_CUSTOM_ATTRIBUTES_BYTES,
} from './webMessagingSession';
export {
  parseServerFrame,
  parseHistoryPage,
  parseStructuredMessage,
  fitCustomAttributes,
  type ServerFrame,
  type StructuredMessage,
} from './frames';
