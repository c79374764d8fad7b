import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebMessagingModel } from './webMessagingModel';

const CONFIG_PATH = /^\/webdeployments\/v1\/deployments\/([^/]+)\/config\.json$/;

/**
 * The public deployment configuration of the Web Messaging simulator (docs/genesys-protocol.md
 * §5.13): `GET /webdeployments/v1/deployments/{deploymentId}/config.json`, without credentials, as
 * Genesys serves it from `api-cdn.{domain}`. [C] the field paths are those the mobile SDK parses;
 * [I] `sessionDurationSeconds` sits beside them as in the platform model of the same settings; [U] an
 * unknown deployment is answered 404.
 */
export class WebMessagingDeploymentConfig {
  constructor(
    private readonly model: WebMessagingModel,
    private readonly endpoints: () => { apiUrl: string; webMessagingUrl: string },
  ) {}

  /** Answers the request when it asks for a deployment configuration; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const match = CONFIG_PATH.exec(url.pathname);
    if (req.method !== 'GET' || match?.[1] === undefined) return false;
    const deployment = this.model.deployments.get(decodeURIComponent(match[1]));
    if (deployment === undefined || !deployment.publishConfig) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found', status: 404 }));
      return true;
    }
    const { apiUrl, webMessagingUrl } = this.endpoints();
    const disconnect = deployment.conversationDisconnect;
    const document = {
      id: deployment.id,
      version: '1',
      languages: ['en-us'],
      defaultLanguage: 'en-us',
      apiEndpoint: apiUrl,
      status: deployment.status,
      messenger: {
        enabled: true,
        apps: {
          conversations: {
            messagingEndpoint: webMessagingUrl,
            showUserTypingIndicator: deployment.showUserTypingIndicator,
            showAgentTypingIndicator: deployment.showAgentTypingIndicator,
            autoStart: { enabled: deployment.autoStart },
            conversationDisconnect: { enabled: disconnect !== 'off', type: disconnect === 'off' ? 'Send' : disconnect },
            conversationClear: { enabled: deployment.conversationClear },
            markdown: { enabled: false },
            humanize: { enabled: true },
            sessionDurationSeconds: deployment.sessionDurationSeconds,
          },
        },
      },
      auth: { enabled: false, allowSessionUpgrade: false },
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(document));
    return true;
  }
}
