import type { GuestChatProviderOptions } from '../../src/genesys/guestChat/guestChatProvider';
import { GuestChatProvider } from '../../src/genesys/guestChat/guestChatProvider';
import { createSilentLogger } from '../../src/logger';
import {
  SIMULATOR_DEPLOYMENT_ID,
  SIMULATOR_ORGANIZATION_ID,
  type GuestChatSimulator,
  type GuestChatSimulatorOptions,
} from '../../src/simulator/guestChat/guestChatSimulator';
import {
  createProvider,
  EventRecorder,
  SleepRecorder,
  startRequest,
  startSimulator,
  rejection,
} from './guestChatSupport';

const DISABLED_DEPLOYMENT = '5a1b2c3d-0000-4000-8000-0000000000d2';
const AUTH_DEPLOYMENT = '5a1b2c3d-0000-4000-8000-0000000000d3';
const ORIGIN_DEPLOYMENT = '5a1b2c3d-0000-4000-8000-0000000000d4';

describe('GuestChatProvider failures against the simulator', () => {
  let sim: GuestChatSimulator;
  const providers: GuestChatProvider[] = [];
  let clock = Date.now();

  async function setUp(options: GuestChatSimulatorOptions = {}): Promise<void> {
    sim = await startSimulator({
      deployments: [
        { id: SIMULATOR_DEPLOYMENT_ID },
        { id: DISABLED_DEPLOYMENT, enabled: false },
        { id: AUTH_DEPLOYMENT, requireAuth: true, acceptedAuthTokens: ['signed-guest-token'] },
        { id: ORIGIN_DEPLOYMENT, allowedOrigins: ['https://shop.example.com'] },
      ],
      now: () => clock,
      ...options,
    });
  }

  function provider(overrides: Partial<GuestChatProviderOptions> = {}): GuestChatProvider {
    const p = createProvider(sim, overrides);
    providers.push(p);
    return p;
  }

  beforeEach(() => {
    clock = Date.now();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.close()));
    await sim.stop();
  });

  describe('create refusals', () => {
    beforeEach(() => setUp());

    it('maps an unknown queue to invalidQueue, keeping the Genesys code and status', async () => {
      const error = await rejection(
        provider({ queueName: 'No Such Queue' }).startChat(startRequest(), new EventRecorder().listener),
      );
      expect(error).toMatchObject({ code: 'invalidQueue', genesysCode: 'chat.error.invalid.queue', status: 400 });
      expect(sim.conversations()).toEqual([]);
    });

    it('maps a disabled deployment to deploymentDisabled', async () => {
      const error = await rejection(
        provider({ deploymentId: DISABLED_DEPLOYMENT }).startChat(startRequest(), new EventRecorder().listener),
      );
      expect(error).toMatchObject({ code: 'deploymentDisabled', genesysCode: 'chat.deployment.disabled', status: 400 });
    });

    it('maps a missing or refused memberAuthToken to authRequired, and accepts a good one', async () => {
      const missing = await rejection(
        provider({ deploymentId: AUTH_DEPLOYMENT }).startChat(startRequest(), new EventRecorder().listener),
      );
      expect(missing).toMatchObject({ code: 'authRequired', genesysCode: 'chat.deployment.require.auth', status: 400 });

      const bad = await rejection(
        provider({ deploymentId: AUTH_DEPLOYMENT, memberAuthToken: 'forged' }).startChat(
          startRequest(),
          new EventRecorder().listener,
        ),
      );
      expect(bad).toMatchObject({ code: 'authRequired', genesysCode: 'chat.deployment.bad.auth' });

      const session = await provider({
        deploymentId: AUTH_DEPLOYMENT,
        memberAuthToken: 'signed-guest-token',
      }).startChat(startRequest(), new EventRecorder().listener);
      const data = session.resumeData;
      if (data.provider !== 'guestchat') throw new Error('unexpected provider');
      expect(sim.conversation(data.conversationId).guest.authenticatedGuest).toBe(true);

      const fromProvider = provider({
        deploymentId: AUTH_DEPLOYMENT,
        memberAuthToken: 'forged',
        memberAuthTokenProvider: () => Promise.resolve('signed-guest-token'),
      });
      await expect(fromProvider.startChat(startRequest(), new EventRecorder().listener)).resolves.toBeDefined();
    });

    it('maps a refused origin to originNotAllowed', async () => {
      const refused = await rejection(
        provider({ deploymentId: ORIGIN_DEPLOYMENT }).startChat(startRequest(), new EventRecorder().listener),
      );
      expect(refused).toMatchObject({ code: 'originNotAllowed', genesysCode: 'origin.not.allowed', status: 403 });
      const allowed = provider({ deploymentId: ORIGIN_DEPLOYMENT, origin: 'https://shop.example.com' });
      await expect(allowed.startChat(startRequest(), new EventRecorder().listener)).resolves.toBeDefined();
    });

    it('gives one clear retired error when the org no longer has the Guest Chat API', async () => {
      sim.setRetired(true);
      const rec = new EventRecorder();
      const error = await rejection(provider().startChat(startRequest(), rec.listener));
      expect(error.code).toBe('retired');
      expect(error.status).toBe(404);
      expect(error.genesysCode).toBe('not.found');
      expect(error.message).toMatch(/Guest Chat API .* retired for this organization/);
      expect(error.message).toContain('Set GenesysProvider=webmessaging');
      expect(rec.events).toEqual([]);
    });

    it('rejects the start, with no events, when the event stream is refused after the create', async () => {
      sim.once('conversationStarted', () => {
        sim.setRetired(true);
      });
      const rec = new EventRecorder();
      const error = await rejection(provider().startChat(startRequest(), rec.listener));
      expect(error.status).toBe(404);
      expect(error.transient).toBe(false);
      expect(rec.events).toEqual([]);
      expect(sim.conversations()[0]?.messages).toEqual([]);
    });

    it('rejects a start without a guest name before calling Genesys', async () => {
      const error = await rejection(
        provider().startChat(startRequest({ guest: { displayName: '  ' } }), new EventRecorder().listener),
      );
      expect(error.code).toBe('badRequest');
      expect(sim.requests).toEqual([]);
    });

    it('maps an unreachable Genesys to network', async () => {
      const apiUrl = sim.apiUrl;
      await sim.stop();
      const unreachable = new GuestChatProvider({
        apiUrl,
        organizationId: SIMULATOR_ORGANIZATION_ID,
        deploymentId: SIMULATOR_DEPLOYMENT_ID,
        queueName: 'Support',
        logger: createSilentLogger(),
        requestRetryPolicy: () => null,
      });
      const error = await rejection(unreachable.startChat(startRequest(), new EventRecorder().listener));
      expect(error.code).toBe('network');
      await setUp(); // afterEach stops it again
    });
  });

  describe('rate limits and server errors', () => {
    beforeEach(() => setUp());

    it('waits as long as Retry-After asks on a 429, retries a 5xx, and sends the message once', async () => {
      const sleeps = new SleepRecorder();
      const p = provider({ sleep: sleeps.sleep });
      const session = await p.startChat(startRequest({ introduction: '' }), new EventRecorder().listener);
      const data = session.resumeData;
      if (data.provider !== 'guestchat') throw new Error('unexpected provider');

      sim.injectFault({ status: 429, retryAfterSeconds: 2, method: 'POST', pathIncludes: '/messages' });
      sim.injectFault({ status: 503, method: 'POST', pathIncludes: '/messages' });
      await session.sendText('after the storm');

      const sent = sim.conversation(data.conversationId).messages.filter((m) => m.body === 'after the storm');
      expect(sent).toHaveLength(1);
      const statuses = sim.requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))
        .map((r) => r.status);
      expect(statuses).toEqual([429, 503, 200]);
      expect(sleeps.waits).toHaveLength(2);
      expect(sleeps.waits[0]).toBeGreaterThanOrEqual(2_000);
    });

    it('reads the wait from a too.many.requests.retry.after body, retries the create call and its 5xx', async () => {
      const sleeps = new SleepRecorder();
      sim.injectFault({ status: 429, retryAfterSeconds: 3, retryAfterHeader: false, pathIncludes: '/conversations' });
      sim.injectFault({ status: 500, pathIncludes: '/conversations' });
      const session = await provider({ sleep: sleeps.sleep }).startChat(startRequest(), new EventRecorder().listener);
      expect(session.resumeData.provider).toBe('guestchat');
      expect(sleeps.waits[0]).toBeGreaterThanOrEqual(3_000);
      expect(sim.conversations()).toHaveLength(1);
    });

    it('gives up with serverError when 5xx answers persist, and with rateLimited on an excessive Retry-After', async () => {
      const sleeps = new SleepRecorder();
      const p = provider({ sleep: sleeps.sleep, maxRetryAfterMs: 10_000 });
      const session = await p.startChat(startRequest({ introduction: '' }), new EventRecorder().listener);

      sim.injectFault({ status: 503, times: 10, pathIncludes: '/messages' });
      const server = await rejection(session.sendText('x'));
      expect(server).toMatchObject({ code: 'serverError', status: 503, genesysCode: 'service.unavailable' });
      sim.clearFaults();

      sim.injectFault({ status: 429, retryAfterSeconds: 3_600, pathIncludes: '/messages' });
      const limited = await rejection(session.sendText('y'));
      expect(limited).toMatchObject({ code: 'rateLimited', status: 429, retryAfterMs: 3_600_000 });
    });
  });

  describe('expiry', () => {
    beforeEach(() => setUp({ jwtLifetimeMs: 60_000 }));

    it('maps an expired JWT to sessionExpired', async () => {
      const p = provider();
      const session = await p.startChat(startRequest({ introduction: '' }), new EventRecorder().listener);
      clock += 61_000;
      const error = await rejection(session.sendText('too late'));
      expect(error).toMatchObject({ code: 'sessionExpired', genesysCode: 'credentials.expired', status: 401 });
    });
  });

  describe('construction', () => {
    beforeEach(() => setUp());

    it.each(['apiUrl', 'organizationId', 'deploymentId', 'queueName'] as const)(
      'fails fast naming a missing %s',
      (key) => {
        const options: GuestChatProviderOptions = {
          apiUrl: sim.apiUrl,
          organizationId: SIMULATOR_ORGANIZATION_ID,
          deploymentId: SIMULATOR_DEPLOYMENT_ID,
          queueName: 'Support',
          logger: createSilentLogger(),
        };
        options[key] = '';
        expect(() => new GuestChatProvider(options)).toThrow(`option "${key}" is required`);
      },
    );
  });
});
