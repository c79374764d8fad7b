import { createApp, type App } from '../../src/app';
import type { Config } from '../../src/config';
import type { HandoffProvider } from '../../src/genesys/handoffProvider';
import { createSilentLogger, type Logger } from '../../src/logger';
import { WebMessagingSimulator } from '../../src/simulator/webMessaging/webMessagingSimulator';
import type { SimulatedAttachmentProfile } from '../../src/simulator/webMessaging/webMessagingTypes';
import { ConnectorRecorder, postActivity, userMessage } from './connectorRecorder';
import { testConfig } from './testConfig';
import { WebMessagingProxy } from './webMessagingProxy';

/** Deployment id the tests' simulated Messenger deployment uses. */
export const TEST_DEPLOYMENT_ID = '7e57d3b1-0000-4000-8000-00000000000a';

/** Settings that point the bot at a simulated Web Messaging deployment. */
export function webMessagingEnv(
  simulator: WebMessagingSimulator,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    GenesysProvider: 'webmessaging',
    GenesysDeploymentId: TEST_DEPLOYMENT_ID,
    GenesysWebMessagingUrl: simulator.webMessagingUrl,
    GenesysApiUrl: simulator.apiUrl,
    GenesysMessagesPerSecond: '20',
    ...env,
  };
}

/**
 * A Web Messaging simulator with the test deployment (Conversation Disconnect and Clear on), taking
 * the files of `attachments` (default: the simulator's, any type up to 10 MB).
 */
export async function startWebMessagingSimulator(
  attachments?: SimulatedAttachmentProfile,
): Promise<WebMessagingSimulator> {
  const simulator = new WebMessagingSimulator({
    deployments: [
      {
        id: TEST_DEPLOYMENT_ID,
        conversationDisconnect: 'Send',
        conversationClear: true,
        ...(attachments === undefined ? {} : { attachments }),
      },
    ],
    port: 0,
    host: '127.0.0.1',
    messagesPerSecond: 20,
    logger: createSilentLogger(),
  });
  await simulator.start();
  return simulator;
}

/** One running bot instance, reached over HTTP like a channel reaches it. */
export class BotInstance {
  private constructor(
    readonly app: App,
    readonly url: string,
    private readonly serviceUrl: string,
  ) {}

  /** Starts the real bot for `config` with the provider the config describes (or `provider`; `null`: none). */
  static async start(
    config: Config,
    connector: { serviceUrl: string },
    provider?: HandoffProvider | null,
    logger: Logger = createSilentLogger(),
  ): Promise<BotInstance> {
    const app = await createApp(config, logger, provider === undefined ? {} : { provider });
    const port = await app.start(0, '127.0.0.1');
    return new BotInstance(app, `http://127.0.0.1:${port}`, connector.serviceUrl);
  }

  /** Starts an instance on existing storage (a restart on the same database), with `provider` when given. */
  static async startWithStorage(
    config: Config,
    connector: { serviceUrl: string },
    storage: App['storage'],
    logger: Logger = createSilentLogger(),
    provider?: HandoffProvider,
  ): Promise<BotInstance> {
    const app = await createApp(config, logger, provider === undefined ? { storage } : { storage, provider });
    const port = await app.start(0, '127.0.0.1');
    return new BotInstance(app, `http://127.0.0.1:${port}`, connector.serviceUrl);
  }

  /** Posts a user message in `conversationId`; fails the test unless the bot accepts it. */
  async say(conversationId: string, text: string, extra: Record<string, unknown> = {}): Promise<void> {
    const res = await postActivity(this.url, userMessage(this.serviceUrl, conversationId, text, extra));
    if (res.status !== 200) throw new Error(`bot answered ${res.status}: ${await res.text()}`);
  }
}

/** The connector side shared by the instances of a test. */
export async function startConnector(): Promise<ConnectorRecorder & { serviceUrl: string }> {
  const connector = new ConnectorRecorder();
  const serviceUrl = await connector.start();
  return Object.assign(connector, { serviceUrl });
}

/** Test configuration for a bot instance talking to the simulator. */
export function simulatorConfig(simulator: WebMessagingSimulator, env: Record<string, string> = {}): Config {
  return testConfig(webMessagingEnv(simulator, env));
}

/** A bot reaching the Web Messaging simulator through a {@link WebMessagingProxy}, and its connector. */
export interface ProxiedRig {
  simulator: WebMessagingSimulator;
  proxy: WebMessagingProxy;
  connector: ConnectorRecorder & { serviceUrl: string };
  bot: BotInstance;
  /** Stops the bot, the proxy, the simulator and the connector, in that order. */
  stop(): Promise<void>;
}

/** Starts a simulator, a proxy in front of it, a connector, and one bot whose Genesys is the proxy. */
export async function startProxiedRig(): Promise<ProxiedRig> {
  const simulator = await startWebMessagingSimulator();
  const proxy = new WebMessagingProxy(simulator.webMessagingUrl);
  const proxyUrl = await proxy.start();
  const connector = await startConnector();
  const bot = await BotInstance.start(simulatorConfig(simulator, { GenesysWebMessagingUrl: proxyUrl }), connector);
  return {
    simulator,
    proxy,
    connector,
    bot,
    stop: async () => {
      await bot.app.stop();
      await proxy.stop();
      await simulator.stop();
      await connector.stop();
    },
  };
}
