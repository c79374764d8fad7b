import { ConfigError, SETTINGS, describeConfig, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('runs with nothing configured: memory storage, no Genesys, demo mode on', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3978);
    expect(config.cosmos.endpoint).toBe('');
    expect(config.genesys.deploymentId).toBe('');
    expect(config.genesys.provider).toBe('webmessaging');
    expect(config.demo).toBe(true);
  });

  it('reads the Web Messaging queues to watch for agents joining, which need the OAuth client', () => {
    const queue = 'a9e3f2c1-0000-4000-8000-0000000000b1';
    const base = { GenesysDeploymentId: '11111111-2222-3333-4444-555555555555' };
    expect(loadConfig(base).genesys.webMessagingQueueIds).toEqual([]);
    const config = loadConfig({
      ...base,
      GenesysWebMessagingQueueIds: ` ${queue} ,, ${queue.replace('b1', 'b2')}`,
      GenesysOAuthClientId: 'client',
      GenesysOAuthClientSecret: 'secret',
    });
    expect(config.genesys.webMessagingQueueIds).toEqual([queue, queue.replace('b1', 'b2')]);
    expect(describeConfig(config)).toMatchObject({ genesys: { openMessaging: { clientSecret: '[set]' } } });
    expect(() => loadConfig({ ...base, GenesysWebMessagingQueueIds: queue })).toThrow(
      /GenesysOAuthClientId is required when GenesysWebMessagingQueueIds is set[\s\S]*GenesysOAuthClientSecret is required/,
    );
    expect(() =>
      loadConfig({
        ...base,
        GenesysWebMessagingQueueIds: 'Support',
        GenesysOAuthClientId: 'c',
        GenesysOAuthClientSecret: 's',
      }),
    ).toThrow('GenesysWebMessagingQueueIds: "Support" is not a queue id (GUID)');
  });

  it('turns demo mode off by default once the bot has an identity', () => {
    const config = loadConfig({
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppPassword: 's',
      MicrosoftAppType: 'MultiTenant',
    });
    expect(config.demo).toBe(false);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        MicrosoftAppId: 'not-a-guid',
        MicrosoftAppType: 'SingleTenant',
        GenesysProvider: 'carrierpigeon',
        GenesysDeploymentId: '123',
        CosmosDbEndpoint: 'not a url',
        HandoffIdleTimeoutSeconds: '60',
        HandoffIdleWarningSeconds: '60',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'MicrosoftAppId must be a GUID',
      'MicrosoftAppPassword is required',
      'MicrosoftAppTenantId is required',
      'GenesysProvider',
      'GenesysDeploymentId',
      'CosmosDbEndpoint',
      'HandoffIdleWarningSeconds',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('requires organization and queue for guest chat', () => {
    expect(() =>
      loadConfig({ GenesysProvider: 'guestchat', GenesysDeploymentId: '11111111-2222-3333-4444-555555555555' }),
    ).toThrow(/GenesysOrganizationId is required[\s\S]*GenesysQueueName is required/);
  });

  it('refuses demo mode together with a real deployment', () => {
    expect(() => loadConfig({ DemoMode: 'true', GenesysDeploymentId: '11111111-2222-3333-4444-555555555555' })).toThrow(
      /DemoMode/,
    );
  });

  it('parses lists, numbers and case-insensitive choices', () => {
    const config = loadConfig({
      GenesysProvider: 'WebMessaging',
      GenesysSkills: 'billing, english ,',
      GenesysPriority: '5',
      DemoMode: 'false',
    });
    expect(config.genesys.provider).toBe('webmessaging');
    expect(config.genesys.skills).toEqual(['billing', 'english']);
    expect(config.genesys.priority).toBe(5);
  });

  it('reads the agent name prefix and the Facebook human-agent tag', () => {
    expect(loadConfig({}).channels).toEqual({ agentNamePrefix: '{name}: ', facebookHumanAgentTag: false });
    expect(loadConfig({ HandoffAgentNamePrefix: '', FacebookHumanAgentTag: '' }).channels.agentNamePrefix).toBe(
      '{name}: ',
    );
    const custom = loadConfig({ HandoffAgentNamePrefix: ' [{name}] ', FacebookHumanAgentTag: 'true' });
    expect(custom.channels).toEqual({ agentNamePrefix: '[{name}] ', facebookHumanAgentTag: true });
    expect(loadConfig({ HandoffAgentNamePrefix: 'none' }).channels.agentNamePrefix).toBe('');
    expect(() => loadConfig({ HandoffAgentNamePrefix: 'Agent:' })).toThrow(
      /HandoffAgentNamePrefix must contain \{name\}/,
    );
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config.genesys)).toBe(true);
  });

  it('masks secrets in the settings log line', () => {
    const config = loadConfig({
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppPassword: 'p@ss',
      CosmosDbKey: 'k3y',
      GenesysMemberAuthToken: 't0k',
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toMatch(/p@ss|k3y|t0k/);
  });

  it('documents every setting in .env.example and reads nothing undocumented', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(`${__dirname}/../../.env.example`, 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Za-z_]+)=/gm)].map((m) => m[1]));
    for (const name of Object.keys(SETTINGS)) expect(documented.has(name) ? name : `${name} missing`).toBe(name);
    const source = await readFile(`${__dirname}/../../src/config.ts`, 'utf8');
    const read = new Set(
      [...source.matchAll(/r\.(?:string|integer|optionalInteger|oneOf(?:<[^>]+>)?|boolean|url)\('([A-Za-z_]+)'/g)].map(
        (m) => m[1],
      ),
    );
    for (const name of read) expect(Object.keys(SETTINGS)).toContain(name);
  });
});

describe('README', () => {
  it('lists every setting', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(`${__dirname}/../../README.md`, 'utf8');
    for (const name of Object.keys(SETTINGS))
      expect(readme.includes(`| \`${name}\` |`) ? name : `${name} missing`).toBe(name);
  });
});
