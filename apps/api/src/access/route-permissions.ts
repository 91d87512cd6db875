import { Injectable, RequestMethod } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA } from '../common/decorators';
import type { AccessRequirement } from '../common/decorators';

interface RouteEntry {
  method: string;
  segments: string[];
  requirement: AccessRequirement | undefined;
}

const split = (path: string): string[] => path.split('/').filter(Boolean);

/**
 * The api's own routes and the permission each requires, read from the controllers'
 * `@RequirePermission` metadata, so access/explain can tell which permission a method and path of
 * this api would need when the caller does not say.
 */
@Injectable()
export class RoutePermissions implements OnApplicationBootstrap {
  private routes: RouteEntry[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly appConfig: ApplicationConfig,
  ) {}

  onApplicationBootstrap(): void {
    const routes: RouteEntry[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!instance || !controller) continue;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? '';
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue;
        const requirement = this.reflector.getAllAndOverride<AccessRequirement | undefined>(ACCESS_METADATA, [handler, controller]);
        for (const b of Array.isArray(base) ? base : [base]) {
          for (const p of Array.isArray(path) ? path : [path]) {
            routes.push({ method: RequestMethod[method], segments: [...split(b), ...split(p)], requirement });
          }
        }
      }
    }
    // Literal segments before parameters, so /tokens/:id/revoke never loses to a looser route.
    this.routes = routes.sort((a, b) => literalCount(b) - literalCount(a));
  }

  /**
   * The permission this api needs for `method path` (the path as a client sends it, global prefix
   * included): `undefined` when no route of this api matches, `null` when the route needs only
   * authentication (or none).
   */
  requiredPermission(method: string, path: string): string | null | undefined {
    const prefix = split(this.appConfig.getGlobalPrefix());
    const segments = split(path.split('?')[0] ?? '');
    if (prefix.some((p, i) => segments[i] !== p)) return undefined;
    const rest = segments.slice(prefix.length);
    const verb = method.toUpperCase();
    for (const route of this.routes) {
      const methodOk = route.method === verb || route.method === 'ALL' || (verb === 'HEAD' && route.method === 'GET');
      if (!methodOk || route.segments.length !== rest.length) continue;
      if (route.segments.every((s, i) => s.startsWith(':') || s === rest[i])) {
        return route.requirement?.kind === 'permission' ? route.requirement.permission : null;
      }
    }
    return undefined;
  }
}

function literalCount(route: RouteEntry): number {
  return route.segments.filter((s) => !s.startsWith(':')).length;
}
