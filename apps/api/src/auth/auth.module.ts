import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PermissionsModule } from '../permissions/permissions.module';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { BearerStrategy } from './bearer.strategy';
import { AuthFailureLimiter } from './failure-limiter';
import { FirstStartService } from './first-start.service';
import { PasswordChangeService } from './password-change.service';
import { PasswordHasher } from './password-hasher';
import { RouteAccessCheck } from './route-access-check';
import { UsageRecorder } from './usage-recorder';
import { Session } from './session.entity';

/**
 * Authentication for every route: the global AccessGuard (deny by default), the bearer strategy,
 * login sessions, the first-start bootstrap. Global so features can inject PasswordHasher,
 * UsageRecorder and the failure limiter without importing it (credentials and the change notifier
 * come from CredentialsModule).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Session]), PassportModule.register({ session: false }), DiscoveryModule, PermissionsModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordChangeService,
    BearerStrategy,
    AuthFailureLimiter,
    UsageRecorder,
    PasswordHasher,
    FirstStartService,
    RouteAccessCheck,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [PasswordHasher, UsageRecorder, AuthFailureLimiter],
})
export class AuthModule {}
