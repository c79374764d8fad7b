import {
  WebMessagingProvider,
  webMessagingUrlsFor,
  type WebMessagingProviderOptions,
} from '../../../src/genesys/webMessaging/webMessagingProvider';
import { createSilentLogger } from '../../../src/logger';

function options(
  overrides: Partial<Record<keyof WebMessagingProviderOptions, unknown>> = {},
): WebMessagingProviderOptions {
  const base: WebMessagingProviderOptions = {
    webMessagingUrl: 'wss://webmessaging.mypurecloud.ie/v1',
    apiUrl: 'https://api.mypurecloud.ie',
    deploymentId: 'dep',
    messagesPerSecond: 5,
    endMode: 'clear',
    logger: createSilentLogger(),
  };
  return Object.assign(base, overrides);
}

describe('webMessagingUrlsFor', () => {
  it('derives the socket and REST hosts from the region domain', () => {
    expect(webMessagingUrlsFor('mypurecloud.ie')).toEqual({
      webMessagingUrl: 'wss://webmessaging.mypurecloud.ie/v1',
      apiUrl: 'https://api.mypurecloud.ie',
    });
    expect(webMessagingUrlsFor('usw2.pure.cloud').webMessagingUrl).toBe('wss://webmessaging.usw2.pure.cloud/v1');
  });

  it('refuses an empty environment', () => {
    expect(() => webMessagingUrlsFor(' ')).toThrow(/environment/);
  });
});

describe('WebMessagingProvider constructor', () => {
  it('accepts complete options', () => {
    expect(new WebMessagingProvider(options()).name).toBe('webmessaging');
  });

  it.each([
    ['deploymentId', { deploymentId: '' }],
    ['webMessagingUrl', { webMessagingUrl: undefined }],
    ['apiUrl', { apiUrl: '' }],
    ['messagesPerSecond', { messagesPerSecond: undefined }],
    ['messagesPerSecond', { messagesPerSecond: 0 }],
    ['endMode', { endMode: 'hangup' }],
    ['logger', { logger: undefined }],
    ['typingIntervalMs', { typingIntervalMs: -1 }],
    ['webMessagingUrl', { webMessagingUrl: 'https://webmessaging.mypurecloud.ie/v1' }],
  ])('fails fast naming %s', (name, overrides) => {
    expect(() => new WebMessagingProvider(options(overrides))).toThrow(name);
  });
});
