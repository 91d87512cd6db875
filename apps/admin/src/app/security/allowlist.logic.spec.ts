import { bitOptions, parseCidr, rowProblem, toCidr } from './allowlist.logic';

describe('IP allowlist rows', () => {
  it('splits a CIDR into the address and the bits to check', () => {
    expect(parseCidr('10.0.0.0/8', 'office')).toEqual({ address: '10.0.0.0', bits: 8, note: 'office' });
    expect(parseCidr('2001:db8::1')).toEqual({ address: '2001:db8::1', bits: 128, note: '' });
    expect(toCidr({ address: ' 10.0.0.0 ', bits: 8 })).toBe('10.0.0.0/8');
  });

  it('offers 0-32 bits for IPv4 and 0-128 for IPv6', () => {
    expect(bitOptions('1.2.3.4')).toHaveLength(33);
    expect(bitOptions('::1')[0]).toBe(128);
  });

  it('explains an address with host bits set beyond the prefix', () => {
    expect(rowProblem({ address: '10.1.2.3', bits: 8 })).toMatch(/first 8 bits/);
    expect(rowProblem({ address: '10.0.0.0', bits: 8 })).toBeNull();
    expect(rowProblem({ address: '', bits: 32 })).toMatch(/Enter/);
    expect(rowProblem({ address: 'nope', bits: 32 })).toMatch(/valid/);
  });
});
