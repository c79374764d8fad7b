import * as crypto from 'node:crypto';

// The real comparison, observed: proves verification goes through crypto.timingSafeEqual.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
import { signWebhook, verifyWebhookSignature } from '../../../src/genesys/openMessaging';
import { signWebhookBody } from '../../../src/simulator/openMessaging';

describe('Open Messaging webhook signature (docs/genesys-protocol.md §6.3)', () => {
  // Known vector: HMAC-SHA256 of "hello world" keyed "secret" is 734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a (hex).
  const body = Buffer.from('hello world', 'utf8');
  const expected = `sha256=${Buffer.from('734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a', 'hex').toString('base64')}`;

  it('signs as sha256= plus base64 of HMAC-SHA256 over the raw bytes', () => {
    expect(signWebhook(body, 'secret')).toBe(expected);
    expect(expected).toBe('sha256=c0zGLzKEFWj0VxWuufTXiRMk5tlI5MbGDAYhzaxIYjo=');
  });

  it('agrees with the simulator, which signs independently', () => {
    const raw = Buffer.from(JSON.stringify({ id: 'm1', text: 'héllo ✓' }), 'utf8');
    expect(signWebhook(raw, 'k')).toBe(signWebhookBody('k', raw));
  });

  it('accepts the right signature and refuses every near miss', () => {
    expect(verifyWebhookSignature(body, expected, 'secret')).toBe(true);
    expect(verifyWebhookSignature(body, [expected], 'secret')).toBe(true);
    expect(verifyWebhookSignature(body, expected, 'Secret')).toBe(false);
    expect(verifyWebhookSignature(Buffer.from('hello world '), expected, 'secret')).toBe(false);
    expect(verifyWebhookSignature(body, expected.replace('sha256=', ''), 'secret')).toBe(false);
    expect(verifyWebhookSignature(body, expected.replace('sha256=', 'sha1='), 'secret')).toBe(false);
    expect(
      verifyWebhookSignature(body, `sha256=734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a`, 'secret'),
    ).toBe(false);
    expect(verifyWebhookSignature(body, undefined, 'secret')).toBe(false);
    expect(verifyWebhookSignature(body, 'sha256=', 'secret')).toBe(false);
    expect(verifyWebhookSignature(body, 'sha256=!!!not base64', 'secret')).toBe(false);
    expect(verifyWebhookSignature(body, expected, '')).toBe(false);
  });

  it('checks the raw bytes, not a re-serialized body', () => {
    const raw = Buffer.from('{"b":1,  "a":2}', 'utf8');
    const signature = signWebhook(raw, 's');
    expect(verifyWebhookSignature(raw, signature, 's')).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(JSON.stringify(JSON.parse(raw.toString()))), signature, 's')).toBe(false);
    // Bytes that are not valid UTF-8 are signed as they are.
    const binary = Buffer.from([0xff, 0xfe, 0x7b, 0x7d]);
    expect(verifyWebhookSignature(binary, signWebhook(binary, 's'), 's')).toBe(true);
  });

  it('compares digests with crypto.timingSafeEqual', () => {
    const spy = jest.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    expect(verifyWebhookSignature(body, expected, 'secret')).toBe(true);
    expect(verifyWebhookSignature(body, signWebhook(body, 'other'), 'secret')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
  });
});
