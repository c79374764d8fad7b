import type { RoutingRequest } from '../genesys/handoffProvider';
import type { DeliveryLimits } from './channelDelivery';

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
}
