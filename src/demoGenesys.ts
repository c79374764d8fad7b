import type { Config } from './config';
import { createOpenMessagingProvider, createProvider } from './genesys/createProvider';
import type { HandoffProvider } from './genesys/handoffProvider';
import type { Logger } from './logger';
import { OpenMessagingSimulator } from './simulator/openMessaging';
import { WebMessagingSimulator } from './simulator/webMessaging/webMessagingSimulator';

/** Deployment id of the simulated Genesys Messenger deployment in demo mode. */
export const DEMO_DEPLOYMENT_ID = 'd3m0d3m0-0000-4000-8000-000000000001';

/**
 * The queue the demo deployment routes to, and the OAuth client the bot watches it with to tell the
 * customer the agent joined as soon as the agent accepts (docs/genesys-protocol.md §5.17).
 */
export const DEMO_WEB_MESSAGING = {
  queueId: 'd3m0d3m0-0000-4000-8000-000000000003',
  clientId: 'demo-webmessaging-client',
  clientSecret: 'demo-webmessaging-client-secret',
} as const;

/**
 * The in-process Genesys Cloud of demo mode: a Web Messaging simulator on a loopback port that the
 * bot talks to like the real one, and the provider pointed at it, with agent-join detection over
 * the simulator's Platform API.
 */
export async function startDemoGenesys(
  config: Config,
  logger: Logger,
): Promise<{ simulator: WebMessagingSimulator; provider: HandoffProvider | undefined }> {
  logger.warn('DEMO MODE: no Genesys deployment configured; a simulated Genesys Cloud runs in this process');
  const simulator = new WebMessagingSimulator({
    deployments: [
      {
        id: DEMO_DEPLOYMENT_ID,
        conversationDisconnect: 'Send',
        conversationClear: true,
        showUserTypingIndicator: true,
        queueId: DEMO_WEB_MESSAGING.queueId,
      },
    ],
    queues: [{ id: DEMO_WEB_MESSAGING.queueId, name: 'Bot handoff (demo)' }],
    platform: {
      clients: [{ clientId: DEMO_WEB_MESSAGING.clientId, clientSecret: DEMO_WEB_MESSAGING.clientSecret }],
    },
    port: 0,
    host: '127.0.0.1',
    logger: logger.child({ module: 'simulator' }),
  });
  await simulator.start();
  // The demo's simulated Genesys and its agent console speak Web Messaging; a Guest Chat setting
  // (meant for a real org) does not apply to them.
  const demoConfig: Config =
    config.genesys.provider === 'guestchat'
      ? { ...config, genesys: { ...config.genesys, provider: 'webmessaging' } }
      : config;
  if (demoConfig !== config)
    logger.info('DEMO MODE uses Web Messaging: GenesysProvider=guestchat applies to a real org only');
  const provider = createProvider(demoConfig, logger, {
    webMessagingUrl: simulator.webMessagingUrl,
    apiUrl: simulator.apiUrl,
    deploymentId: DEMO_DEPLOYMENT_ID,
    loginUrl: simulator.apiUrl,
    clientId: DEMO_WEB_MESSAGING.clientId,
    clientSecret: DEMO_WEB_MESSAGING.clientSecret,
    queueIds: [DEMO_WEB_MESSAGING.queueId],
  });
  return { simulator, provider };
}

/** Integration, OAuth client and webhook secret of the simulated Open Messaging integration in demo mode. */
export const DEMO_OPEN_MESSAGING = {
  integrationId: 'd3m0d3m0-0000-4000-8000-000000000002',
  clientId: 'demo-client',
  clientSecret: 'demo-client-secret',
  webhookSecret: 'demo-webhook-secret',
} as const;

/**
 * Demo mode with `GenesysProvider=openmessaging`: an Open Messaging simulator (the agent console
 * answers its chats) and the provider pointed at it. Its webhook URL is set once the bot listens
 * (`App.start` in src/app.ts).
 */
export async function startDemoOpenMessaging(
  config: Config,
  logger: Logger,
): Promise<{ simulator: OpenMessagingSimulator; provider: HandoffProvider | undefined }> {
  logger.warn('DEMO MODE: a simulated Genesys Cloud Open Messaging integration runs in this process');
  const simulator = new OpenMessagingSimulator({
    integrations: [
      {
        id: DEMO_OPEN_MESSAGING.integrationId,
        name: 'Bot handoff (demo)',
        webhookSecret: DEMO_OPEN_MESSAGING.webhookSecret,
        typing: { inbound: 'Enabled', outbound: 'Enabled' },
      },
    ],
    clients: [{ clientId: DEMO_OPEN_MESSAGING.clientId, clientSecret: DEMO_OPEN_MESSAGING.clientSecret }],
    logger: logger.child({ module: 'simulator' }),
  });
  const url = await simulator.start();
  const provider = createOpenMessagingProvider(config, logger, {
    apiUrl: url,
    loginUrl: url,
    integrationId: DEMO_OPEN_MESSAGING.integrationId,
    clientId: DEMO_OPEN_MESSAGING.clientId,
    clientSecret: DEMO_OPEN_MESSAGING.clientSecret,
    webhookSecret: DEMO_OPEN_MESSAGING.webhookSecret,
  });
  return { simulator, provider };
}
