import type { Config } from '../config';
import type { Logger } from '../logger';
import { GuestChatProvider, guestChatProviderOptionsFromConfig } from './guestChat/guestChatProvider';
import type { HandoffProvider } from './handoffProvider';
import { WebMessagingProvider, webMessagingUrlsFor } from './webMessaging/webMessagingProvider';

/** Endpoint overrides for a local simulator (demo mode, tests). */
export interface ProviderEndpoints {
  webMessagingUrl?: string;
  apiUrl?: string;
  deploymentId?: string;
}

/**
 * Creates the configured Genesys provider, or `undefined` when no deployment is configured (the bot
 * then answers requests for an agent with an honest "not available").
 */
export function createProvider(
  config: Config,
  logger: Logger,
  endpoints: ProviderEndpoints = {},
): HandoffProvider | undefined {
  const { genesys } = config;
  const deploymentId = endpoints.deploymentId ?? genesys.deploymentId;
  if (deploymentId === '') return undefined;
  if (genesys.provider === 'guestchat') {
    const options = guestChatProviderOptionsFromConfig(config, logger);
    return new GuestChatProvider({
      ...options,
      deploymentId,
      ...(endpoints.apiUrl === undefined ? {} : { apiUrl: endpoints.apiUrl }),
    });
  }
  const derived = webMessagingUrlsFor(genesys.environment);
  const provider = new WebMessagingProvider({
    webMessagingUrl: endpoints.webMessagingUrl ?? (genesys.webMessagingUrl || derived.webMessagingUrl),
    apiUrl: endpoints.apiUrl ?? (genesys.apiUrl || derived.apiUrl),
    deploymentId,
    ...(genesys.origin === '' ? {} : { origin: genesys.origin }),
    messagesPerSecond: genesys.messagesPerSecond,
    endMode: genesys.endMode,
    reorderWindowMs: genesys.reorderWindowMs,
    reconnectGiveUpMs: genesys.reconnectGiveUpSeconds * 1000,
    logger,
  });
  // Read (and log) what the deployment allows at start-up; never rejects.
  void provider.loadDeploymentConfig();
  return provider;
}
