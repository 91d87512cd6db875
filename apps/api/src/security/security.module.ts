import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecurityController } from './security.controller';
import { SecurityService } from './security.service';
import { OrgIpAllowlistEntry } from './ip-allowlist-entry.entity';

@Module({
  imports: [TypeOrmModule.forFeature([OrgIpAllowlistEntry])],
  controllers: [SecurityController],
  providers: [SecurityService],
  exports: [SecurityService],
})
export class SecurityModule {}
