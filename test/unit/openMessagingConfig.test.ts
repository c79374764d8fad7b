import { ConfigError, describeConfig, loadConfig } from '../../src/config';

const INTEGRATION = '3c1f0e2a-9b7d-4e61-8a0c-5d2e7f9a1b22';
const complete = {
  GenesysProvider: 'openmessaging',
  GenesysOpenMessagingIntegrationId: INTEGRATION,
  GenesysOAuthClientId: 'client',
  GenesysOAuthClientSecret: 'client-secret',
  GenesysOpenMessagingWebhookSecret: 'webhook-secret',
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ LogLevel: 'silent', ...env });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('Open Messaging settings', () => {
  it('reads a complete configuration, not in demo mode, with secrets masked in the log line', () => {
    const config = loadConfig({ ...complete, GenesysLoginUrl: 'https://login.example.test/' });
    expect(config.demo).toBe(false);
    expect(config.genesys.provider).toBe('openmessaging');
    expect(config.genesys.loginUrl).toBe('https://login.example.test');
    expect(config.genesys.openMessaging).toEqual({
      integrationId: INTEGRATION,
      clientId: 'client',
      clientSecret: 'client-secret',
      webhookSecret: 'webhook-secret',
      eventsSecret: '',
    });
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toContain('client-secret');
    expect(described).not.toContain('webhook-secret');
  });

  it('names every missing credential when an integration id is set', () => {
    expect(
      problems({ GenesysProvider: 'openmessaging', GenesysOpenMessagingIntegrationId: INTEGRATION, DemoMode: 'false' }),
    ).toEqual([
      'GenesysOAuthClientId is required when GenesysProvider is openmessaging',
      'GenesysOAuthClientSecret is required when GenesysProvider is openmessaging',
      'GenesysOpenMessagingWebhookSecret is required when GenesysProvider is openmessaging',
    ]);
  });

  it('refuses an integration id that is not a GUID, a bad login URL, and demo mode with an integration', () => {
    expect(problems({ ...complete, GenesysOpenMessagingIntegrationId: 'nope' })).toEqual([
      'GenesysOpenMessagingIntegrationId must be a GUID (got "nope")',
    ]);
    expect(problems({ ...complete, GenesysLoginUrl: 'ftp://login' })[0]).toContain('GenesysLoginUrl');
    expect(problems({ ...complete, DemoMode: 'true' })).toEqual([
      'DemoMode cannot be true while GenesysOpenMessagingIntegrationId is set: the demo uses its own simulated Genesys',
    ]);
  });

  it('runs the demo when no integration is configured', () => {
    expect(loadConfig({ GenesysProvider: 'openmessaging' }).demo).toBe(true);
  });
});
