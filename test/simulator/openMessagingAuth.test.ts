import axios from 'axios';
import { api, CLIENT_ID, getToken, inboundPath, startRig, textMessage, type Rig } from './openMessagingSupport';

describe('Open Messaging simulator: login and rate limit (docs/genesys-protocol.md §6.1, §6.10)', () => {
  let rig: Rig;

  afterEach(async () => {
    await rig.stop();
  });

  it('issues a bearer token for the client credentials grant with the configured expires_in', async () => {
    rig = await startRig({ tokenLifetimeSeconds: 120 });
    const response = await axios.post<Record<string, unknown>>(
      `${rig.baseUrl}/oauth/token`,
      'grant_type=client_credentials',
      {
        auth: { username: CLIENT_ID, password: 'test-client-secret' },
      },
    );
    expect(response.status).toBe(200);
    expect(response.data).toEqual({
      access_token: expect.any(String) as unknown,
      token_type: 'bearer',
      expires_in: 120,
    });
    expect(rig.sim.stats.tokensIssued).toBe(1);
  });

  it('refuses a wrong secret with 401 invalid_client and another grant with 400', async () => {
    rig = await startRig();
    const wrong = await axios.post(`${rig.baseUrl}/oauth/token`, 'grant_type=client_credentials', {
      auth: { username: CLIENT_ID, password: 'nope' },
      validateStatus: () => true,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.data).toMatchObject({ error: 'invalid_client' });
    const grant = await axios.post(`${rig.baseUrl}/oauth/token`, 'grant_type=password', {
      auth: { username: CLIENT_ID, password: 'test-client-secret' },
      validateStatus: () => true,
    });
    expect(grant.status).toBe(400);
    expect(grant.data).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('answers 401 for a missing, unknown or expired token and accepts a fresh one', async () => {
    rig = await startRig({ tokenLifetimeSeconds: 60 });
    const body = textMessage('user-1', 'hello');
    const missing = await axios.post(`${rig.baseUrl}${inboundPath('message')}`, body, { validateStatus: () => true });
    expect(missing.status).toBe(401);
    expect(missing.data).toMatchObject({ status: 401, code: 'bad.credentials' });
    expect((await api(rig.baseUrl, 'made-up', 'POST', inboundPath('message'), body)).status).toBe(401);

    const token = await getToken(rig.baseUrl);
    expect((await api(rig.baseUrl, token, 'POST', inboundPath('message'), body)).status).toBe(200);
    rig.clock.now += 60_000;
    expect((await api(rig.baseUrl, token, 'POST', inboundPath('message'), body)).status).toBe(401);
    const fresh = await getToken(rig.baseUrl);
    expect((await api(rig.baseUrl, fresh, 'POST', inboundPath('message'), body)).status).toBe(200);

    rig.sim.expireTokens();
    expect((await api(rig.baseUrl, fresh, 'POST', inboundPath('message'), body)).status).toBe(401);
  });

  it('answers 429 with Retry-After once a token spends its per-minute budget, and recovers a minute later', async () => {
    rig = await startRig({ requestsPerMinute: 3 });
    const token = await getToken(rig.baseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await api(rig.baseUrl, token, 'POST', inboundPath('message'), textMessage('user-1', `m${i}`))).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await api(rig.baseUrl, token, 'POST', inboundPath('message'), textMessage('user-1', 'again'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.data).toMatchObject({ code: 'too.many.requests', status: 429 });
    expect(rig.sim.stats.rateLimited).toBe(2);
    // Only the three accepted messages reached the conversation.
    expect(rig.sim.conversations()[0]?.messages.map((m) => m.text)).toEqual(['m0', 'm1', 'm2']);

    rig.clock.now += 60_000;
    expect((await api(rig.baseUrl, token, 'POST', inboundPath('message'), textMessage('user-1', 'later'))).status).toBe(
      200,
    );
  });

  it('can force the next calls to 429 with a chosen Retry-After', async () => {
    rig = await startRig();
    const token = await getToken(rig.baseUrl);
    rig.sim.forceRateLimit(1, 7);
    const limited = await api(rig.baseUrl, token, 'POST', inboundPath('message'), textMessage('user-1', 'x'));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(rig.sim.conversations()).toHaveLength(0);
    expect((await api(rig.baseUrl, token, 'POST', inboundPath('message'), textMessage('user-1', 'x'))).status).toBe(
      200,
    );
  });
});
