import { ApiProperty } from '@nestjs/swagger';
import { LIMITS } from '@tessera/domain';

export class ChangePasswordBody {
  @ApiProperty({ format: 'password', minLength: 1, maxLength: LIMITS.passwordMax })
  currentPassword!: string;

  @ApiProperty({
    format: 'password',
    minLength: LIMITS.passwordMin,
    maxLength: LIMITS.passwordMax,
    description: 'Must differ from the current password',
  })
  newPassword!: string;
}

export class ChangePasswordResponse {
  @ApiProperty({ description: 'Other sessions of the user that were ended (the current one stays open)' })
  endedSessions!: number;
}
