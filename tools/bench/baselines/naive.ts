// Baselines `naive-express` and `naive-fastify` of `npm run bench`: the bearer guard most NestJS
// tutorials ship, over Tessera's own tokens table. @nestjs/passport + passport-http-bearer as a
// global guard, SHA-256 of the presented token, a TypeORM findOne by hash (with the role) on every
// request, then active / revoked / validity / scope checks. No cache, no usage counting, no audit,
// no request logs. BASELINE_ADAPTER=express (default, Nest's default adapter) or fastify.
// Transpiled by run.mjs into dist/bench-baselines/ and started as `node dist/bench-baselines/naive.js`
// with PORT and DATABASE_URL.
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  Module,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Strategy } from 'passport-http-bearer';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, Repository } from 'typeorm';

@Entity('roles')
class Role {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text', { array: true }) permissions!: string[];
}

@Entity('tokens')
class ApiToken {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('text') name!: string;
  @Column('text', { array: true }) scopes!: string[];
  @Column('boolean') active!: boolean;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  @Column('timestamptz', { name: 'valid_from', nullable: true }) validFrom!: Date | null;
  @Column('timestamptz', { name: 'valid_to', nullable: true }) validTo!: Date | null;
  @Column('text', { name: 'secret_hash' }) secretHash!: string;
  @ManyToOne(() => Role, { nullable: true }) @JoinColumn({ name: 'role_id' }) role!: Role | null;
}

/** The scope every route of this baseline asks for (each bench token holds it through its role or scopes). */
const REQUIRED_SCOPE = 'tokens:read';

function covers(permission: string, needed: string): boolean {
  const [resource, action] = permission.split(':');
  const [nr, na] = needed.split(':');
  return (resource === '*' || resource === nr) && (action === '*' || action === na);
}

@Injectable()
class HttpBearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(@InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>) {
    super();
  }

  async validate(token: string): Promise<unknown> {
    const secretHash = createHash('sha256').update(token).digest('hex');
    const found = await this.tokens.findOne({ where: { secretHash }, relations: { role: true } });
    const now = new Date();
    if (!found || !found.active || found.revokedAt || (found.validFrom && found.validFrom > now) || (found.validTo && found.validTo <= now)) {
      throw new UnauthorizedException();
    }
    const permissions = [...(found.role?.permissions ?? []), ...found.scopes];
    if (!permissions.some((p) => covers(p, REQUIRED_SCOPE))) throw new ForbiddenException('insufficient scope');
    return { kind: 'token', id: found.id, name: found.name, organizationId: found.organizationId, permissions, validTo: found.validTo };
  }
}

@Controller('api/v1/auth')
class MeController {
  @Get('me')
  me(@Req() req: { user: unknown }): unknown {
    return req.user;
  }
}

@Module({
  imports: [
    PassportModule,
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env['DATABASE_URL'],
      entities: [ApiToken, Role],
      synchronize: false,
      // The same pool size as Tessera's.
      extra: { max: 20 },
    }),
    TypeOrmModule.forFeature([ApiToken, Role]),
  ],
  controllers: [MeController],
  providers: [HttpBearerStrategy, { provide: APP_GUARD, useClass: AuthGuard('bearer') }],
})
class NaiveModule {}

async function main(): Promise<void> {
  const logger = ['error' as const, 'warn' as const];
  let app;
  if (process.env['BASELINE_ADAPTER'] === 'fastify') {
    // Loaded only here, so the Express baseline never loads Fastify and the reverse.
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = await NestFactory.create(NaiveModule, new FastifyAdapter(), { logger });
  } else {
    app = await NestFactory.create(NaiveModule, { logger });
  }
  await app.listen(Number(process.env['PORT']), '127.0.0.1');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)));
}

void main();
