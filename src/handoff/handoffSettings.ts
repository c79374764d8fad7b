import type { RoutingRequest } from '../genesys/handoffProvider';
import type { AttachmentPolicy } from './channelAttachments';
import type { DeliveryLimits } from './channelDelivery';
import type { FileConsentSigning } from './fileConsentSigning';

/** Files from the user to the agent (settings `HandoffAttachmentTypes`, `HandoffAttachmentMaxBytes`). */
export interface HandoffAttachmentSettings extends AttachmentPolicy {
  /** The bot's Bot Framework token for channel attachment URLs; undefined without an app id (Emulator). */
  botToken?: () => Promise<string | undefined>;
}

/** Timing and identity settings of the handoff. */
export interface HandoffSettings {
  instanceId: string;
  queueTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  idleWarningSeconds: number;
  leaseSeconds: number;
  sweepIntervalSeconds: number;
  /** Longest introduction (transcript) sent to the agent. */
  introductionMaxChars?: number;
  /** Routing defaults (Guest Chat). */
  routing?: RoutingRequest;
  /** Retry limits of proactive sends (default {@link DEFAULT_DELIVERY_LIMITS}). */
  delivery?: DeliveryLimits;
  /**
   * How agent messages are shown per channel (settings `HandoffAgentNamePrefix`,
   * `FacebookHumanAgentTag`); default: no name prefix, no human-agent tag.
   */
  channels?: { agentNamePrefix: string; facebookHumanAgentTag: boolean };
  /** Files users send to the agent: the allow-list and the bot's token for channel downloads. */
  attachments?: HandoffAttachmentSettings;
  /**
   * Signs Teams file consent cards for agent files; without it, agent files in Teams personal
   * chats are sent as cards with an "Open" button.
   */
  fileConsent?: FileConsentSigning;
}
