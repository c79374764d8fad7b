import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

/** Claims that decide which credentials a connector client is built with. */
const CREDENTIAL_CLAIMS = new Set(['aud', 'appid', 'azp', 'ver']);

/** Connector clients kept at most (distinct bot app id × serviceUrl × audience; a handful in practice). */
const MAX_CLIENTS = 256;

/** The claims that select credentials, as a cache key. */
function credentialKey(claimsIdentity: ClaimsIdentity): string {
  return claimsIdentity.claims
    .filter((c) => CREDENTIAL_CLAIMS.has(c.type))
    .map((c) => `${c.type}=${c.value}`)
    .sort()
    .join('&');
}

/** Keeps `created` under `key` in `cache` (bounded), dropping it again if it fails. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, created: Promise<T>): Promise<T> {
  if (cache.size >= MAX_CLIENTS) cache.clear();
  cache.set(key, created);
  // A failed creation (credentials unavailable) is tried again next time.
  created.catch(() => {
    if (cache.get(key) === created) cache.delete(key);
  });
  return created;
}

/**
 * Bot Framework authentication whose connector factories reuse one `ConnectorClient` per bot app
 * id, serviceUrl and audience, and one `UserTokenClient` per bot app id. botbuilder's CloudAdapter
 * otherwise builds a new factory, connector client and user-token client (pipeline, credentials,
 * serializer) on every turn, incoming or proactive. The clients keep no state between requests
 * and their credentials refresh their own tokens, so sharing them is safe.
 */
export class CachingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = credentialKey(claimsIdentity);
    return this.tokenClients.get(key) ?? remember(this.tokenClients, key, super.createUserTokenClient(claimsIdentity));
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const inner = super.createConnectorFactory(claimsIdentity);
    const identity = credentialKey(claimsIdentity);
    // ConnectorFactory is an abstract class with only `create`; botbuilder calls nothing else on it.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> => {
        const key = `${identity}|${serviceUrl}|${audience ?? ''}`;
        return this.clients.get(key) ?? remember(this.clients, key, inner.create(serviceUrl, audience));
      },
    };
  }
}
