import type * as restify from 'restify';
import type { Logger } from '../logger';
import type { WebMessagingSimulator } from '../simulator/webMessaging/webMessagingSimulator';
import type { DemoRoutes } from '../startApplication';
import { AgentApi } from './agentApi';
import { DirectLineEndpoint } from './directLine';
import { DEMO_CUSTOMER_NAMES, installPages } from './pages';
import { WebChatAsset } from './webChatAsset';

/** Options of {@link createDemoRoutes}. */
export interface DemoRoutesOptions {
  /** Where the Web Chat bundle is read from (default `vendor/webchat/webchat.js` in the repository). */
  webChat?: WebChatAsset;
  /** How long the demo Direct Line waits for a closed customer page to come back (default 30 s). */
  customerLeftAfterMs?: number;
}

/**
 * The demo's routes on the bot's own server, for {@link startApplication}'s `demoRoutes` option:
 * the customer page with Web Chat (`/demo/`), the agent console (`/demo/agent`) with its API over the
 * simulated Genesys (`/demo/api/...`), and the local Direct Line service Web Chat talks to
 * (`/v3/directline/...`, replies at `/demo/connector/...`). `/api/messages` stays as it is, so the
 * Bot Framework Emulator can be used at the same time.
 */
export function createDemoRoutes(logger: Logger, options: DemoRoutesOptions = {}): DemoRoutes {
  return (server: restify.Server, simulator: WebMessagingSimulator, botPort: () => number): void => {
    const log = logger.child({ module: 'demo' });
    const webChat = options.webChat ?? new WebChatAsset();
    if (!webChat.available()) {
      log.warn(
        { path: webChat.path },
        'the Web Chat bundle is missing: the customer page cannot show the chat until "node scripts/fetch-webchat.js" is run',
      );
    }
    // Compressed once, in the background, so the customer page's first load does not wait for it.
    webChat.prepare().catch((err: unknown) => {
      log.warn({ err, path: webChat.path }, 'could not read or compress the Web Chat bundle');
    });
    const directLine = new DirectLineEndpoint({
      internalBaseUrl: () => `http://127.0.0.1:${botPort()}`,
      logger: log,
      customerNames: DEMO_CUSTOMER_NAMES,
      ...(options.customerLeftAfterMs === undefined ? {} : { customerLeftAfterMs: options.customerLeftAfterMs }),
    });
    directLine.install(server);
    new AgentApi(simulator, { logger: log }).install(server);
    installPages(server, webChat);
  };
}
