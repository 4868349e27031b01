import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function normalise(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  // ::ffff:10.0.0.1 is 10.0.0.1 for the purpose of an allow-list.
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** Builds a matcher for a list of addresses and CIDR ranges (IPv4 and IPv6). */
export function ipAllowList(entries: readonly string[]): (ip: string) => boolean {
  const ranges: Range[] = entries.map((entry) => {
    if (entry.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      return [
        normalise(address),
        address.kind() === 'ipv6' && normalise(address).kind() === 'ipv4' ? bits - 96 : bits,
      ];
    }
    const address = normalise(ipaddr.parse(entry));
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  });
  return (ip: string) => {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      address = normalise(ipaddr.parse(ip));
    } catch {
      return false;
    }
    return ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  };
}
