import 'dotenv/config';
import pretty from 'pino-pretty';
import { ConfigError, describeConfig, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { installProcessSafetyNet } from './processSafetyNet';
import { startupBanner } from './startupBanner';
import { startupWarnings } from './startupWarnings';
import { startTelemetry } from './telemetry/startTelemetry';

/** Process entry point: configuration, logger, safety net, application. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    const logger = createLogger();
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, 'could not load the configuration');
    process.exitCode = 1;
    return;
  }
  // In a terminal, readable log lines; otherwise (App Service, containers, pipes) one JSON object a line.
  const terminal = process.stdout.isTTY;
  const logger = createLogger({
    level: config.logLevel,
    ...(terminal
      ? { destination: pretty({ colorize: true, sync: true, ignore: 'service,pid,hostname,settings' }) }
      : {}),
  });
  const safetyNet = installProcessSafetyNet({ logger });
  logger.info({ settings: describeConfig(config) }, 'settings loaded');
  for (const warning of startupWarnings(config)) logger.warn(warning);

  // Telemetry first: Azure Monitor instruments `http` for the modules loaded after it.
  const telemetryRuntime = startTelemetry(config.telemetry, config.instanceId, logger);
  const { createDemoRoutes } = await import('./demo/demoRoutes');
  const { startApplication } = await import('./startApplication');
  const running = await startApplication(config, logger, { demoRoutes: createDemoRoutes(logger) });
  safetyNet.setStop(() => running.stop().then(() => telemetryRuntime.shutdown()));
  logger.info({ port: running.port, demo: config.demo, urls: running.urls, pid: process.pid }, 'bot is listening');
  if (terminal) process.stdout.write(startupBanner({ demo: config.demo, urls: running.urls }));
}

main().catch((err: unknown) => {
  createLogger().fatal({ err }, 'the bot could not start');
  process.exit(1);
});
