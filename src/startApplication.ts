import type { Config } from './config';
import { createApp, type App } from './app';
import type { Logger } from './logger';

/** A started application, as `index.ts` runs it. */
export interface RunningApplication {
  app: App;
  port: number;
  /** Useful local addresses to show in the start-up log. */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Builds and starts the application for the given configuration: storage and Genesys provider
 * from settings, or, in demo mode, a local Genesys simulator with the demo pages.
 */
export async function startApplication(config: Config, logger: Logger): Promise<RunningApplication> {
  const app = await createApp(config, logger);
  const port = await app.start(config.port);
  return {
    app,
    port,
    urls: { messagingEndpoint: `http://localhost:${port}/api/messages`, health: `http://localhost:${port}/healthz` },
    stop: () => app.stop(),
  };
}
