import { createApp, type App, type DemoRoutes } from './app';
import type { Config } from './config';
import type { Logger } from './logger';
import type { WebMessagingSimulator } from './simulator/webMessaging/webMessagingSimulator';

export { DEMO_DEPLOYMENT_ID, type DemoRoutes } from './app';

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

/** Options of {@link startApplication}. */
export interface StartOptions {
  /** Adds the demo pages (Web Chat, agent console, Direct Line) in demo mode. */
  demoRoutes?: DemoRoutes;
  host?: string;
}

/**
 * Builds the application from settings ({@link createApp}: in demo mode with a local Web Messaging
 * simulator the bot talks to like the real Genesys Cloud), starts it on the configured port and
 * lists the local addresses worth logging.
 */
export async function startApplication(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningApplication> {
  const app = await createApp(
    config,
    logger,
    options.demoRoutes === undefined ? {} : { demoRoutes: options.demoRoutes },
  );
  const port = await app.start(config.port, options.host);
  const base = `http://localhost:${port}`;
  const urls: Record<string, string> = {
    messagingEndpoint: `${base}/api/messages`,
    health: `${base}/healthz`,
    readiness: `${base}/healthz/ready`,
  };
  if (app.simulator !== undefined && options.demoRoutes !== undefined) {
    urls.customerPage = `${base}/demo/`;
    urls.agentConsole = `${base}/demo/agent`;
  }
  return { app, port, simulator: app.simulator, urls, stop: () => app.stop() };
}
