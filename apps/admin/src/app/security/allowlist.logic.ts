import { isValidIpRule } from '@tessera/domain';

export interface AllowlistRow {
  address: string;
  bits: number;
  note: string;
}

/** IPv6 when the address has a colon (IPv4-mapped IPv6 included), else IPv4. */
export function maxBits(address: string): 32 | 128 {
  return address.includes(':') ? 128 : 32;
}

/** Splits a stored CIDR into the address and "bits to check". */
export function parseCidr(cidr: string, note = ''): AllowlistRow {
  const [address = '', bits] = cidr.split('/');
  return { address, bits: bits === undefined ? maxBits(address) : Number(bits), note };
}

export function toCidr(row: Pick<AllowlistRow, 'address' | 'bits'>): string {
  return `${row.address.trim()}/${row.bits}`;
}

/** The "bits to check" choices for an address, most specific first. */
export function bitOptions(address: string): number[] {
  const max = maxBits(address);
  return Array.from({ length: max + 1 }, (_, i) => max - i);
}

/** Why a row is not a valid allowlist entry, or null. */
export function rowProblem(row: Pick<AllowlistRow, 'address' | 'bits'>): string | null {
  const address = row.address.trim();
  if (!address) return 'Enter an IP address';
  if (address.includes('/')) return 'Type the address without "/": pick the prefix length in "Bits to check"';
  if (row.bits > maxBits(address)) return `At most ${maxBits(address)} bits for this address`;
  if (isValidIpRule(address) && !isValidIpRule(toCidr(row))) {
    return `Only the first ${row.bits} bits may be set: end the address with zeros (a network address)`;
  }
  return isValidIpRule(toCidr(row)) ? null : 'Not a valid IPv4 or IPv6 address';
}
