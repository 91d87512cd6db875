import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_METADATA } from '../common/decorators';

/**
 * Deny by default, checked at start: every route handler must declare @Public, @Authenticated or
 * @RequirePermission (on the method or its controller). The app refuses to start otherwise, naming
 * the handlers. (The guard also refuses such a route at request time.)
 */
@Injectable()
export class RouteAccessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const { undeclared } = this.scan();
    if (undeclared.length > 0) {
      throw new Error(`Routes without @Public, @Authenticated or @RequirePermission (deny by default): ${undeclared.join(', ')}`);
    }
  }

  /** Every route handler of every controller: how many, and which declare no access rule. */
  scan(): { checked: number; undeclared: string[] } {
    const missing: string[] = [];
    let checked = 0;
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!instance || !type) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue; // not a route
        checked++;
        if (this.reflector.getAllAndOverride(ACCESS_METADATA, [handler, type]) === undefined) missing.push(`${type.name}.${name}`);
      }
    }
    return { checked, undeclared: missing };
  }
}
