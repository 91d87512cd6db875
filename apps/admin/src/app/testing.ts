import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { EnvironmentProviders, Provider, provideAppInitializer } from '@angular/core';
import { provideNativeDateAdapter } from '@angular/material/core';
import { provideRouter } from '@angular/router';
import type { MeDto, RoleDto, TokenDto } from '@tessera/domain';
import { registerIcons } from './core/icons';

/** Providers every component spec needs (http is the testing backend). */
export function testProviders(): (Provider | EnvironmentProviders)[] {
  return [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), provideNativeDateAdapter(), provideAppInitializer(registerIcons)];
}

export const CATALOG = [
  { resource: 'tokens', description: 'API tokens', actions: ['read', 'write', 'introspect'] },
  { resource: 'roles', description: 'Roles', actions: ['read', 'write'] },
];

export function aRole(overrides: Partial<RoleDto> = {}): RoleDto {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    name: 'Read only',
    description: '',
    permissions: ['*:read'],
    builtIn: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  } as RoleDto;
}

export function aToken(overrides: Partial<TokenDto> = {}): TokenDto {
  return {
    id: '22222222-2222-4222-8222-222222222222',
    name: 'BackendAutomation',
    description: 'nightly batch',
    roleId: null,
    roleName: null,
    scopes: ['tokens:read'],
    permissions: ['tokens:read'],
    allowedIps: ['10.0.0.0/8'],
    blockedIps: [],
    allowedEndpoints: [],
    blockedEndpoints: [],
    allowedOrigins: [],
    validFrom: null,
    validTo: null,
    active: true,
    revokedAt: null,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    createdBy: { kind: 'user', id: 'u', name: 'admin' },
    lastUsedAt: null,
    lastUsedIp: null,
    useCount: 0,
    hint: 'tsr_AbCd…wxYz',
    version: 1,
    ...overrides,
  } as TokenDto;
}

/** `GET auth/me` of a user whose role holds `permissions`. */
export function aMe(permissions: string[], overrides: Partial<MeDto> = {}): MeDto {
  return {
    kind: 'user',
    id: '33333333-3333-4333-8333-333333333333',
    name: 'Someone',
    email: 'someone@example.com',
    organization: { id: '44444444-4444-4444-8444-444444444444', name: 'Default' },
    permissions,
    grantable: [],
    ...overrides,
  };
}
