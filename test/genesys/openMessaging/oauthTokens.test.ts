import { isGenesysError } from '../../../src/genesys/genesysError';
import { OAuthTokenSource } from '../../../src/genesys/openMessaging/oauthTokens';
import { createSilentLogger } from '../../../src/logger';
import { OpenMessagingSimulator } from '../../../src/simulator/openMessaging';

/** The client-credentials token against the simulator's login endpoint (docs/genesys-protocol.md §6.1). */
describe('OAuthTokenSource', () => {
  let now = Date.parse('2026-03-01T10:00:00Z');
  const clock = { now: () => now, sleep: () => Promise.resolve() };
  const simulator = new OpenMessagingSimulator({
    integrations: [{ id: 'i', name: 'n', webhookSecret: 's' }],
    clients: [{ clientId: 'c', clientSecret: 'secret' }],
    tokenLifetimeSeconds: 120,
    now: () => now,
    logger: createSilentLogger(),
  });
  let url = '';

  beforeAll(async () => {
    url = await simulator.start();
  });

  afterAll(async () => {
    await simulator.stop();
  });

  const source = (secret = 'secret'): OAuthTokenSource =>
    new OAuthTokenSource({
      loginUrl: url,
      clientId: 'c',
      clientSecret: secret,
      timeoutMs: 5000,
      refreshMarginMs: 60_000,
      logger: createSilentLogger(),
      clock,
    });

  it('caches the token, shares one request between concurrent callers, and renews it before expiry', async () => {
    const tokens = source();
    const issuedBefore = simulator.stats.tokensIssued;
    const first = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(new Set(first).size).toBe(1);
    expect(await tokens.token()).toBe(first[0]);
    expect(simulator.stats.tokensIssued).toBe(issuedBefore + 1);
    now += 59_000; // 61 s left: still more than the 60 s margin
    expect(await tokens.token()).toBe(first[0]);
    now += 2_000; // 59 s left: renewed before it expires
    const renewed = await tokens.token();
    expect(renewed).not.toBe(first[0]);
    expect(tokens.tokensFetched).toBe(2);
  });

  it('fetches a new token after one was refused', async () => {
    const tokens = source();
    const first = await tokens.token();
    tokens.invalidate('some other token');
    expect(await tokens.token()).toBe(first);
    tokens.invalidate(first);
    expect(await tokens.token()).not.toBe(first);
  });

  it('reports a refused client as unauthorized', async () => {
    const err: unknown = await source('wrong')
      .token()
      .catch((e: unknown) => e);
    expect(isGenesysError(err) && err.code).toBe('unauthorized');
    expect(isGenesysError(err) && err.status).toBe(401);
  });
});
