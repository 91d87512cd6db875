import { Module } from '@nestjs/common';
import { ChangesController } from './changes.controller';
import { ChangesService } from './changes.service';

/** GET /changes: the change stream other services keep their caches exact with. */
@Module({
  controllers: [ChangesController],
  providers: [ChangesService],
})
export class ChangesModule {}
