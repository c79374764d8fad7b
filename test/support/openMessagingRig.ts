import type { App } from '../../src/app';
import { createSilentLogger } from '../../src/logger';
import { OpenMessagingProvider, type OpenMessagingProviderOptions } from '../../src/genesys/openMessaging';
import {
  OPEN_MESSAGING_WEBHOOK_PATH,
  OPEN_MESSAGING_EVENTS_PATH,
  EVENTS_SECRET_HEADER,
} from '../../src/http/openMessagingWebhook';
import {
  OpenMessagingSimulator,
  type OpenMessagingSimulatorOptions,
  type SimulatedTriggerTarget,
} from '../../src/simulator/openMessaging';
import { BotInstance } from './handoffRig';
import { testConfig } from './testConfig';

export const OM_INTEGRATION_ID = '3c1f0e2a-9b7d-4e61-8a0c-5d2e7f9a1b22';
export const OM_CLIENT = { clientId: 'bot-client', clientSecret: 'bot-client-secret' };
export const OM_WEBHOOK_SECRET = 'om-webhook-secret';
export const OM_EVENTS_SECRET = 'om-events-secret';

/** An Open Messaging simulator, a bot on the Open Messaging provider, and the trigger that pushes detail events to it. */
export interface OpenMessagingRig {
  simulator: OpenMessagingSimulator;
  provider: OpenMessagingProvider;
  bot: BotInstance;
  /** The Process Automation trigger target; its URL points at the bot once it listens. */
  trigger: SimulatedTriggerTarget;
  stop(): Promise<void>;
}

/**
 * Starts the simulator, then the bot with an {@link OpenMessagingProvider} pointed at it, then
 * points the integration's webhook (and, with `triggers`, a Process Automation trigger on
 * `user.start`, `user.end`, `customer.end` and `acw`) at the bot.
 */
export async function startOpenMessagingRig(
  connector: { serviceUrl: string },
  options: {
    triggers?: boolean;
    simulator?: Partial<OpenMessagingSimulatorOptions>;
    provider?: Partial<OpenMessagingProviderOptions>;
  } = {},
): Promise<OpenMessagingRig> {
  const trigger: SimulatedTriggerTarget = {
    url: 'http://127.0.0.1:9/unset',
    secretHeader: EVENTS_SECRET_HEADER,
    secret: OM_EVENTS_SECRET,
    topics: ['user.start', 'user.end', 'customer.end', 'acw'],
  };
  const simulator = await startOpenMessagingSimulator({
    ...(options.triggers === false ? {} : { triggers: [trigger] }),
    ...options.simulator,
  });
  const { bot, provider } = await startOpenMessagingBot(simulator, connector, {}, options.provider);
  // The simulator reads its trigger targets when it fires them.
  trigger.url = `${bot.url}${OPEN_MESSAGING_EVENTS_PATH}`;
  return {
    simulator,
    provider,
    bot,
    trigger,
    async stop(): Promise<void> {
      await bot.app.stop();
      await simulator.stop();
    },
  };
}

/** The Open Messaging simulator with the tests' integration (typing on both ways) and OAuth client. */
export async function startOpenMessagingSimulator(
  options: Partial<OpenMessagingSimulatorOptions> = {},
): Promise<OpenMessagingSimulator> {
  const simulator = new OpenMessagingSimulator({
    integrations: [
      {
        id: OM_INTEGRATION_ID,
        name: 'Bot handoff',
        webhookSecret: OM_WEBHOOK_SECRET,
        typing: { inbound: 'Enabled', outbound: 'Enabled' },
      },
    ],
    clients: [OM_CLIENT],
    logger: createSilentLogger(),
    ...options,
  });
  await simulator.start();
  return simulator;
}

/**
 * A bot on an {@link OpenMessagingProvider} pointed at `simulator` (settings `env` on top of the
 * tests' defaults; on `storage` when given), with the integration's webhook pointed at this bot.
 */
export async function startOpenMessagingBot(
  simulator: OpenMessagingSimulator,
  connector: { serviceUrl: string },
  env: Record<string, string> = {},
  providerOptions: Partial<OpenMessagingProviderOptions> = {},
  storage?: App['storage'],
): Promise<{ bot: BotInstance; provider: OpenMessagingProvider }> {
  const provider = new OpenMessagingProvider({
    apiUrl: simulator.url,
    loginUrl: simulator.url,
    integrationId: OM_INTEGRATION_ID,
    ...OM_CLIENT,
    webhookSecret: OM_WEBHOOK_SECRET,
    logger: createSilentLogger(),
    reconcileIntervalMs: 0,
    requestRetryPolicy: (attempt) => (attempt > 3 ? null : 50),
    ...providerOptions,
  });
  const config = testConfig({
    GenesysProvider: 'openmessaging',
    GenesysOpenMessagingEventsSecret: OM_EVENTS_SECRET,
    ...env,
  });
  const bot =
    storage === undefined
      ? await BotInstance.start(config, connector, provider)
      : await BotInstance.startWithStorage(config, connector, storage, createSilentLogger(), provider);
  simulator.setWebhookUrl(OM_INTEGRATION_ID, `${bot.url}${OPEN_MESSAGING_WEBHOOK_PATH}`);
  return { bot, provider };
}
