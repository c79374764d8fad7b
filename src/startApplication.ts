import type * as restify from 'restify';
import type { Config } from './config';
import { createApp, type App } from './app';
import { createProvider } from './genesys/createProvider';
import type { Logger } from './logger';
import { WebMessagingSimulator } from './simulator/webMessaging/webMessagingSimulator';

/** Deployment id of the simulated Genesys Messenger deployment in demo mode. */
export const DEMO_DEPLOYMENT_ID = 'd3m0d3m0-0000-4000-8000-000000000001';

/** A started application, as `index.ts` runs it. */
export interface RunningApplication {
  app: App;
  port: number;
  /** The in-process Genesys simulator (demo mode only). */
  simulator: WebMessagingSimulator | undefined;
  /** Useful local addresses to show in the start-up log. */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/** Hooks for the demo pages, added by the demo module. */
export type DemoRoutes = (server: restify.Server, simulator: WebMessagingSimulator, botPort: () => number) => void;

/** Options of {@link startApplication}. */
export interface StartOptions {
  /** Adds the demo pages (Web Chat, agent console, Direct Line) in demo mode. */
  demoRoutes?: DemoRoutes;
  host?: string;
}

/**
 * Builds and starts the application: storage and Genesys provider from settings or, in demo mode,
 * a local Web Messaging simulator that the bot talks to like the real Genesys Cloud.
 */
export async function startApplication(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningApplication> {
  let simulator: WebMessagingSimulator | undefined;
  let boundPort = config.port;
  let extraRoutes: ((server: restify.Server) => void) | undefined;
  let provider = createProvider(config, logger);
  if (config.demo) {
    logger.warn('DEMO MODE: no Genesys deployment configured; a simulated Genesys Cloud runs in this process');
    simulator = new WebMessagingSimulator({
      deployments: [{ id: DEMO_DEPLOYMENT_ID, conversationDisconnect: 'Send', conversationClear: true }],
      port: 0,
      host: '127.0.0.1',
      logger: logger.child({ module: 'simulator' }),
    });
    await simulator.start();
    provider = createProvider(config, logger, {
      webMessagingUrl: simulator.webMessagingUrl,
      apiUrl: simulator.apiUrl,
      deploymentId: DEMO_DEPLOYMENT_ID,
    });
    const sim = simulator;
    const demoRoutes = options.demoRoutes;
    if (demoRoutes !== undefined)
      extraRoutes = (server) => {
        demoRoutes(server, sim, () => boundPort);
      };
  }
  const app = await createApp(config, logger, extraRoutes === undefined ? {} : { extraRoutes }, provider);
  boundPort = await app.start(config.port, options.host);
  const base = `http://localhost:${boundPort}`;
  const urls: Record<string, string> = { messagingEndpoint: `${base}/api/messages`, health: `${base}/healthz` };
  if (config.demo && extraRoutes !== undefined) {
    urls.customerPage = `${base}/demo/`;
    urls.agentConsole = `${base}/demo/agent`;
  }
  return {
    app,
    port: boundPort,
    simulator,
    urls,
    async stop(): Promise<void> {
      await app.stop();
      await simulator?.stop();
    },
  };
}
