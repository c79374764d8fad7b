import { sessionRefusal } from '../../../src/genesys/webMessaging/attachmentUpload';
import type { SessionResponseBody } from '../../../src/genesys/webMessaging/frames';

const file = (fileName: string, contentType: string, size: number) => ({
  fileName,
  contentType,
  bytes: new Uint8Array(size),
});

const SESSION: SessionResponseBody = {
  connected: true,
  allowedMedia: { inbound: { fileTypes: ['image/*', 'application/pdf'], maxFileSizeKB: 2 } },
  blockedExtensions: ['.SVG', 'gif'],
};

describe('sessionRefusal (docs/genesys-protocol.md §5.9)', () => {
  it.each([
    ['a listed type within the limit', file('a.pdf', 'application/pdf', 2000), undefined],
    ['a type under a wildcard', file('a.webp', 'image/webp', 10), undefined],
    ['an unlisted type', file('a.txt', 'text/plain', 10), ['fileTypeRefused', '4001']],
    ['a type in other case', file('a.pdf', 'Application/PDF', 10), undefined],
    [
      'a blocked extension, in any case, with or without its dot',
      file('logo.svg', 'image/svg+xml', 10),
      ['fileTypeRefused', '4001'],
    ],
    ['a blocked extension given without a dot', file('anim.GIF', 'image/gif', 10), ['fileTypeRefused', '4001']],
    ['one byte over maxFileSizeKB × 1,000', file('a.pdf', 'application/pdf', 2001), ['fileTooLarge', '4002']],
    ['an empty file', file('a.pdf', 'application/pdf', 0), ['fileTypeRefused', '4003']],
  ])('%s', (_, upload, expected) => {
    const error = sessionRefusal(upload, SESSION);
    expect(error === undefined ? undefined : [error.code, error.genesysCode]).toEqual(expected);
  });

  it('takes any non-empty file when the session reported no profile, and honours */*', () => {
    expect(sessionRefusal(file('a.bin', 'application/octet-stream', 10 ** 8), undefined)).toBeUndefined();
    expect(sessionRefusal(file('a.bin', 'application/octet-stream', 10), { connected: true })).toBeUndefined();
    const any: SessionResponseBody = { connected: true, allowedMedia: { inbound: { fileTypes: ['*/*'] } } };
    expect(sessionRefusal(file('a.bin', 'application/octet-stream', 10 ** 8), any)).toBeUndefined();
    const none: SessionResponseBody = { connected: true, allowedMedia: { inbound: { fileTypes: [] } } };
    expect(sessionRefusal(file('a.png', 'image/png', 10), none)?.code).toBe('fileTypeRefused');
  });
});
