import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;

/** Claims that decide which credentials a connector client is built with. */
const CREDENTIAL_CLAIMS = new Set(['aud', 'appid', 'azp', 'ver']);

/** Connector clients kept at most (distinct bot app id × serviceUrl × audience; a handful in practice). */
const MAX_CLIENTS = 256;

/**
 * Bot Framework authentication whose connector factories reuse one `ConnectorClient` per bot app
 * id, serviceUrl and audience. botbuilder's CloudAdapter asks for a new factory and client on
 * every turn (incoming or proactive); building one (pipeline, credentials, serializer) is the
 * largest CPU cost of a relayed message. The client is stateless between requests and its
 * credentials refresh their own token, so sharing it is safe.
 */
export class CachingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const inner = super.createConnectorFactory(claimsIdentity);
    const identity = claimsIdentity.claims
      .filter((c) => CREDENTIAL_CLAIMS.has(c.type))
      .map((c) => `${c.type}=${c.value}`)
      .sort()
      .join('&');
    // ConnectorFactory is an abstract class with only `create`; botbuilder calls nothing else on it.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> => {
        const key = `${identity}|${serviceUrl}|${audience ?? ''}`;
        const known = this.clients.get(key);
        if (known !== undefined) return known;
        if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
        const created = inner.create(serviceUrl, audience);
        this.clients.set(key, created);
        // A failed creation (credentials unavailable) is tried again next time.
        created.catch(() => {
          if (this.clients.get(key) === created) this.clients.delete(key);
        });
        return created;
      },
    };
  }
}
