import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { loadConfig } from '../../src/config';
import { startupWarnings } from '../../src/startupWarnings';

const DEPLOYMENT = '11111111-2222-4333-8444-555555555555';

describe('startupWarnings', () => {
  it('warns that /api/messages is unauthenticated when Genesys is configured without MicrosoftAppId', () => {
    const warnings = startupWarnings(loadConfig({ GenesysDeploymentId: DEPLOYMENT }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('/api/messages accepts unauthenticated traffic');
  });

  it('warns that an Open Messaging integration id is ignored when GenesysProvider is not openmessaging', () => {
    const settings = {
      GenesysOpenMessagingIntegrationId: '66666666-7777-4888-8999-aaaaaaaaaaaa',
      GenesysOAuthClientId: 'client',
      GenesysOAuthClientSecret: 'not-a-real-secret',
      GenesysOpenMessagingWebhookSecret: 'not-a-real-secret',
      MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
      MicrosoftAppPassword: 'not-a-real-secret',
    };
    expect(startupWarnings(loadConfig(settings))).toEqual([
      'GenesysOpenMessagingIntegrationId is set but GenesysProvider is webmessaging: the Open Messaging integration is not used. Set GenesysProvider=openmessaging to hand chats over through it.',
    ]);
    expect(startupWarnings(loadConfig({ ...settings, GenesysProvider: 'openmessaging' }))).toEqual([]);
  });

  it('says nothing with a bot identity, without Genesys, or in demo mode', () => {
    expect(
      startupWarnings(
        loadConfig({
          GenesysDeploymentId: DEPLOYMENT,
          MicrosoftAppId: '11111111-2222-3333-4444-555555555555',
          MicrosoftAppPassword: 'not-a-real-secret',
        }),
      ),
    ).toEqual([]);
    expect(startupWarnings(loadConfig({ DemoMode: 'false' }))).toEqual([]);
    expect(startupWarnings(loadConfig({}))).toEqual([]);
  });
});

describe('.env.example', () => {
  const example = parse(readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8'));

  it('lists settings with empty values, as a fresh copy has them', () => {
    expect(Object.keys(example).length).toBeGreaterThan(10);
    expect(Object.values(example).every((value) => value === '')).toBe(true);
  });

  it('loads exactly like no .env at all: every empty setting means "use the default"', () => {
    const { instanceId: fromExample, ...withExample } = loadConfig(example);
    const { instanceId: fromNothing, ...withNothing } = loadConfig({});
    expect(withExample).toEqual(withNothing);
    expect(fromExample).toMatch(/-\d+-[0-9a-f]{6}$/);
    expect(fromNothing).toMatch(/-\d+-[0-9a-f]{6}$/);
    expect(withExample.genesys.environment).toBe('mypurecloud.com');
    expect(withExample.cosmos.databaseId).toBe('genesys-handoff-bot');
  });

  it('treats blank values (spaces only) as empty too', () => {
    const blank = Object.fromEntries(Object.keys(example).map((name) => [name, '   ']));
    const { instanceId: _a, ...withBlank } = loadConfig(blank);
    const { instanceId: _b, ...withNothing } = loadConfig({});
    expect(withBlank).toEqual(withNothing);
  });
});
