import { deploymentConfigUrl, parseDeploymentConfig } from '../../../src/genesys/webMessaging/deploymentConfig';
import { LinkWatch } from '../../../src/genesys/webMessaging/linkWatch';
import { lifetimeFromMetadata } from '../../../src/genesys/webMessaging/sessionLifetime';
import { testConfig } from '../../support/testConfig';

describe('LinkWatch reconnect policy', () => {
  function watch(giveUpAfterMs: number, clock: { now: number }): LinkWatch {
    return new LinkWatch({
      noticeAfterMs: 0,
      stableAfterMs: 0,
      giveUpAfterMs,
      onDown: () => undefined,
      onRestored: () => undefined,
      now: () => clock.now,
    });
  }

  it('keeps retrying at the last delay after the base policy is spent, until the time limit', () => {
    const clock = { now: 0 };
    const link = watch(10_000, clock);
    const policy = link.reconnectPolicy((attempt) => (attempt > 2 ? null : attempt * 1000));
    link.dropped();
    expect(policy(1)).toBe(1000);
    expect(policy(2)).toBe(2000);
    clock.now = 5_000;
    expect(policy(3)).toBe(2000);
    clock.now = 9_500;
    // Never waits past the limit: the last attempt is made at the limit itself.
    expect(policy(4)).toBe(500);
    clock.now = 10_000;
    expect(policy(5)).toBeNull();
    link.stop();
  });

  it('counts downtime without a break: a restored link starts the count again', () => {
    const clock = { now: 0 };
    const link = watch(10_000, clock);
    const policy = link.reconnectPolicy(() => 100);
    link.dropped();
    clock.now = 9_000;
    link.restored();
    clock.now = 15_000;
    link.dropped();
    clock.now = 24_000;
    expect(policy(1)).toBe(100);
    clock.now = 25_000;
    expect(policy(2)).toBeNull();
    link.stop();
  });

  it('leaves the base policy alone with no time limit', () => {
    const base = (attempt: number): number | null => (attempt > 1 ? null : 5);
    expect(watch(0, { now: 0 }).reconnectPolicy(base)).toBe(base);
  });
});

describe('session lifetime in echo metadata', () => {
  it('reads the two keys Genesys sends as strings and ignores anything else', () => {
    expect(lifetimeFromMetadata({ durationSeconds: '900', expirationDate: '1767225600' })).toEqual({
      durationSeconds: 900,
      expirationDate: 1767225600,
    });
    expect(lifetimeFromMetadata({ durationSeconds: 'soon', expirationDate: '-5', other: '1' })).toEqual({});
  });
});

describe('deployment configuration', () => {
  it('lives on api-cdn for a Genesys region and on the same host otherwise', () => {
    expect(deploymentConfigUrl('https://api.mypurecloud.de', 'dep 1')).toBe(
      'https://api-cdn.mypurecloud.de/webdeployments/v1/deployments/dep%201/config.json',
    );
    expect(deploymentConfigUrl('http://127.0.0.1:4000', 'd')).toBe(
      'http://127.0.0.1:4000/webdeployments/v1/deployments/d/config.json',
    );
  });

  it('reads the fields the relay follows, with the mobile SDK defaults when absent', () => {
    expect(parseDeploymentConfig({})).toEqual({
      status: undefined,
      showUserTypingIndicator: false,
      showAgentTypingIndicator: false,
      autoStart: false,
      conversationDisconnect: { enabled: false, type: 'Send' },
      conversationClear: false,
      sessionDurationSeconds: undefined,
    });
    const conversations = {
      showUserTypingIndicator: true,
      conversationDisconnect: { enabled: true, type: 'ReadOnly' },
      conversationClear: { enabled: true },
      autoStart: { enabled: true },
      sessionDurationSeconds: 900,
    };
    expect(parseDeploymentConfig({ status: 'Inactive', messenger: { apps: { conversations } } })).toMatchObject({
      status: 'Inactive',
      showUserTypingIndicator: true,
      autoStart: true,
      conversationDisconnect: { enabled: true, type: 'ReadOnly' },
      conversationClear: true,
      sessionDurationSeconds: 900,
    });
    expect(parseDeploymentConfig('not an object')).toBeUndefined();
    expect(
      parseDeploymentConfig({ messenger: { apps: { conversations: { conversationClear: 'yes' } } } }),
    ).toMatchObject({ conversationClear: false });
  });
});

describe('GenesysReconnectGiveUpSeconds', () => {
  it('defaults to 600 seconds and takes whole seconds from 0 to a day', () => {
    expect(testConfig().genesys.reconnectGiveUpSeconds).toBe(600);
    expect(testConfig({ GenesysReconnectGiveUpSeconds: '120' }).genesys.reconnectGiveUpSeconds).toBe(120);
    expect(() => testConfig({ GenesysReconnectGiveUpSeconds: '-1' })).toThrow(/GenesysReconnectGiveUpSeconds/);
  });
});
