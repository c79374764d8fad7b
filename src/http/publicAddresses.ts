import { lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * Outbound requests to public internet addresses only: the guard for downloads whose URL comes
 * from outside the bot. Ranges are ipaddr.js' (IANA special-purpose registries): only `unicast`
 * is public; loopback, link-local (169.254.0.0/16, fe80::/10, where cloud metadata endpoints
 * live), private (10/8, 172.16/12, 192.168/16), unique-local (fc00::/7), carrier-grade NAT,
 * unspecified, multicast, reserved and IPv6 forms embedding an IPv4 address are refused.
 */

/** A request refused because its host is (or resolves to) a non-public address. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(readonly hostname: string) {
    super(`${hostname} is not a public internet address`);
    this.name = 'PrivateAddressError';
  }
}

/** True when `address` (an IPv4 or IPv6 literal) is a public unicast address; false for anything else. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // `process` turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it maps.
  return ipaddr.process(address).range() === 'unicast';
}

/** The host of a URL as an address literal (brackets of IPv6 removed), or undefined for a name. */
function literalOf(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : undefined;
}

/**
 * Throws {@link PrivateAddressError} when `url`'s host is an address literal that is not public
 * (a name is checked when it is resolved, by {@link publicOnlyLookup}: Node does not resolve literals).
 */
export function assertPublicUrlHost(url: string): void {
  assertPublicHost(new URL(url).hostname);
}

/** {@link assertPublicUrlHost} for a host name or address literal (IPv6 with or without brackets). */
export function assertPublicHost(hostname: string): void {
  const literal = literalOf(hostname);
  if (literal !== undefined && !isPublicAddress(literal)) throw new PrivateAddressError(hostname);
}

/** One address a name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * A `dns.lookup` replacement for `http.request`'s `lookup` option: resolves `hostname` and fails
 * with {@link PrivateAddressError} when any of its addresses is not public, so the connection is
 * made only to an address that was checked (no second resolution can change it). Always answers
 * with every address (as for `all: true`; axios adapts the answer to what Node asks).
 */
export function publicOnlyLookup(
  hostname: string,
  options: object,
  callback: (err: Error | null, addresses: ResolvedAddress[]) => void,
): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err !== null) {
      callback(err, []);
      return;
    }
    if (addresses.length === 0 || !addresses.every((a) => isPublicAddress(a.address))) {
      callback(new PrivateAddressError(hostname), []);
      return;
    }
    callback(
      null,
      addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })),
    );
  });
}
