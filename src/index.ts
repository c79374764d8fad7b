import 'dotenv/config';
import { ConfigError, describeConfig, loadConfig } from './config';
import { createLogger } from './logger';
import { startTelemetry } from './telemetry/startTelemetry';

/** Process entry point: configuration, logger, application, signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    const logger = createLogger();
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, 'could not load the configuration');
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ level: config.logLevel });
  logger.info({ settings: describeConfig(config) }, 'settings loaded');

  // Telemetry first: Azure Monitor instruments `http` for the modules loaded after it.
  const telemetryRuntime = startTelemetry(config.telemetry, config.instanceId, logger);
  const { createDemoRoutes } = await import('./demo/demoRoutes');
  const { startApplication } = await import('./startApplication');
  const running = await startApplication(config, logger, { demoRoutes: createDemoRoutes(logger) });
  logger.info({ port: running.port, demo: config.demo, urls: running.urls }, 'bot is listening');

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    running
      .stop()
      .then(() => telemetryRuntime.shutdown())
      .then(() => {
        logger.info('stopped');
        process.exitCode = 0;
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
}

main().catch((err: unknown) => {
  createLogger().fatal({ err }, 'the bot could not start');
  process.exitCode = 1;
});
