import { ApiProperty } from '@nestjs/swagger';

export class ChangePasswordResponse {
  @ApiProperty({ description: 'Other sessions of the user that were ended (the current one stays open)' })
  endedSessions!: number;
}
