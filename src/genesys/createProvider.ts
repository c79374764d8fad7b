import type { Config } from '../config';
import type { Logger } from '../logger';
import { AGENT_TEXTS } from '../resources/messages';
import { GuestChatProvider, guestChatProviderOptionsFromConfig } from './guestChat/guestChatProvider';
import type { HandoffProvider } from './handoffProvider';
import { OpenMessagingProvider, openMessagingUrlsFor } from './openMessaging';
import { WebMessagingProvider, webMessagingUrlsFor } from './webMessaging/webMessagingProvider';

/** Endpoint overrides for a local simulator (demo mode, tests). */
export interface ProviderEndpoints {
  webMessagingUrl?: string;
  apiUrl?: string;
  deploymentId?: string;
  /** Open Messaging: login host, integration, OAuth client and webhook secret of a simulator. */
  loginUrl?: string;
  integrationId?: string;
  clientId?: string;
  clientSecret?: string;
  webhookSecret?: string;
  /** Web Messaging: queues watched for agents joining (with `loginUrl`, `clientId` and `clientSecret`). */
  queueIds?: readonly string[];
}

/** The Open Messaging provider of the settings, or `undefined` when no integration is configured. */
export function createOpenMessagingProvider(
  config: Config,
  logger: Logger,
  endpoints: ProviderEndpoints = {},
): OpenMessagingProvider | undefined {
  const { genesys } = config;
  const om = genesys.openMessaging;
  const integrationId = endpoints.integrationId ?? om.integrationId;
  if (integrationId === '') return undefined;
  const derived = openMessagingUrlsFor(genesys.environment);
  return new OpenMessagingProvider({
    apiUrl: endpoints.apiUrl ?? (genesys.apiUrl || derived.apiUrl),
    loginUrl: endpoints.loginUrl ?? (genesys.loginUrl || derived.loginUrl),
    integrationId,
    clientId: endpoints.clientId ?? om.clientId,
    clientSecret: endpoints.clientSecret ?? om.clientSecret,
    webhookSecret: endpoints.webhookSecret ?? om.webhookSecret,
    customerLeftNotice: AGENT_TEXTS.customerLeft,
    logger,
  });
}

/**
 * Creates the configured Genesys provider, or `undefined` when no deployment (or Open Messaging
 * integration) is configured (the bot then answers requests for an agent with an honest "not available").
 */
export function createProvider(
  config: Config,
  logger: Logger,
  endpoints: ProviderEndpoints = {},
): HandoffProvider | undefined {
  const { genesys } = config;
  if (genesys.provider === 'openmessaging') return createOpenMessagingProvider(config, logger, endpoints);
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
  const apiUrl = endpoints.apiUrl ?? (genesys.apiUrl || derived.apiUrl);
  const queueIds = endpoints.queueIds ?? genesys.webMessagingQueueIds;
  const clientId = endpoints.clientId ?? genesys.openMessaging.clientId;
  const clientSecret = endpoints.clientSecret ?? genesys.openMessaging.clientSecret;
  const provider = new WebMessagingProvider({
    webMessagingUrl: endpoints.webMessagingUrl ?? (genesys.webMessagingUrl || derived.webMessagingUrl),
    apiUrl,
    deploymentId,
    ...(genesys.origin === '' ? {} : { origin: genesys.origin }),
    messagesPerSecond: genesys.messagesPerSecond,
    endMode: genesys.endMode,
    reorderWindowMs: genesys.reorderWindowMs,
    reconnectGiveUpMs: genesys.reconnectGiveUpSeconds * 1000,
    // docs/genesys-protocol.md §5.17: optional, needs an OAuth client and the queues to watch.
    ...(queueIds.length === 0 || clientId === '' || clientSecret === ''
      ? {}
      : {
          agentJoins: {
            loginUrl: endpoints.loginUrl ?? (genesys.loginUrl || openMessagingUrlsFor(genesys.environment).loginUrl),
            clientId,
            clientSecret,
            queueIds,
          },
        }),
    logger,
  });
  // Read (and log) what the deployment allows at start-up; never rejects.
  void provider.loadDeploymentConfig();
  void provider.startAgentJoinWatch();
  return provider;
}
