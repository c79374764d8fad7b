import { createSilentLogger } from '../../../src/logger';
import { OptionsValidator } from '../../../src/genesys/shared/providerOptions';

describe('OptionsValidator', () => {
  const check = new OptionsValidator('SomeProvider');

  it('names the owner and the option in every error', () => {
    expect(() => check.requireString('deploymentId', '  ')).toThrow('SomeProvider: option "deploymentId" is required');
    expect(() => check.requireString('deploymentId', undefined)).toThrow('option "deploymentId" is required');
    expect(check.requireString('deploymentId', 'd-1')).toBe('d-1');
  });

  it('checks URL schemes', () => {
    expect(check.requireUrl('url', 'wss://x/v1', ['ws', 'wss'])).toBe('wss://x/v1');
    expect(() => check.requireUrl('url', 'https://x', ['ws', 'wss'])).toThrow(
      'option "url" must be a ws:// or wss:// URL',
    );
    expect(() => check.requireUrl('url', '', ['ws'])).toThrow('option "url" is required');
  });

  it('checks the logger and enumerations', () => {
    expect(() => check.requireLogger(undefined)).toThrow('option "logger" is required');
    const logger = createSilentLogger();
    expect(check.requireLogger(logger)).toBe(logger);
    expect(check.requireOneOf('endMode', 'clear', ['clear', 'notice'] as const)).toBe('clear');
    expect(() => check.requireOneOf('endMode', 'hangup', ['clear', 'notice'] as const)).toThrow(
      "option \"endMode\" must be one of 'clear', 'notice'",
    );
  });

  it('defaults absent numbers and refuses negative, non-finite or (when positive) zero values', () => {
    expect(check.number('n', undefined, 7)).toBe(7);
    expect(check.number('n', 0, 7)).toBe(0);
    expect(() => check.number('n', 0, 7, true)).toThrow('option "n" must be a positive number, got 0');
    expect(() => check.number('n', -1, 7)).toThrow('option "n" must be a non-negative number, got -1');
    expect(() => check.number('n', Number.POSITIVE_INFINITY, 7)).toThrow('option "n"');
    expect(() => check.number('n', '5', 7)).toThrow('option "n"');
  });

  it('requireNumber insists on a value', () => {
    expect(() => check.requireNumber('rate', undefined, true)).toThrow('option "rate" is required');
    expect(check.requireNumber('rate', 5, true)).toBe(5);
  });
});
