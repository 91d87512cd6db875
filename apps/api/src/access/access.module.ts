import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AccessController } from './access.controller';
import { AccessService } from './access.service';
import { RoutePermissions } from './route-permissions';

@Module({
  imports: [DiscoveryModule],
  controllers: [AccessController],
  providers: [AccessService, RoutePermissions],
})
export class AccessModule {}
