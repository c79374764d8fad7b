import {
  PrivateAddressError,
  assertPublicUrlHost,
  isPublicAddress,
  publicOnlyLookup,
  type ResolvedAddress,
} from '../../src/http/publicAddresses';

describe('public internet addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback (IPv6)'],
    ['169.254.169.254', 'link-local: cloud metadata endpoints'],
    ['fe80::1', 'link-local (IPv6)'],
    ['10.0.0.5', 'private'],
    ['172.16.3.4', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'unique local (IPv6)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified (IPv6)'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 embedding of 169.254.169.254'],
    ['224.0.0.1', 'multicast'],
    ['not-an-address', 'not an address'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([['8.8.8.8'], ['52.113.194.132'], ['2606:4700::1111'], ['::ffff:8.8.8.8']])('takes %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['http://127.0.0.1:8080/file'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://[::1]/file'],
    ['http://[fe80::1]/file'],
    ['https://0.0.0.0/'],
    ['http://2130706433/'],
    ['http://0x7f.1/'],
  ])('refuses the URL %s before any request (address literals are not resolved)', (url) => {
    expect(() => {
      assertPublicUrlHost(url);
    }).toThrow(PrivateAddressError);
  });

  it('leaves names to the resolution and takes public literals', () => {
    expect(() => {
      assertPublicUrlHost('https://api.mypurecloud.com/file');
    }).not.toThrow();
    expect(() => {
      assertPublicUrlHost('https://8.8.8.8/file');
    }).not.toThrow();
  });

  it('fails the resolution of a name with a non-public address', async () => {
    const result = await new Promise<{ err: Error | null; addresses: ResolvedAddress[] }>((resolve) => {
      publicOnlyLookup('localhost', {}, (err, addresses) => {
        resolve({ err, addresses });
      });
    });
    expect(result.err).toBeInstanceOf(PrivateAddressError);
    expect(result.addresses).toEqual([]);
  });
});
