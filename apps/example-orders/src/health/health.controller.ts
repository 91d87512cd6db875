import { Controller, Get } from '@nestjs/common';
import { Public } from '@tessera/nest';

@Controller('health')
export class HealthController {
  @Get()
  @Public()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
