import { ApiProperty } from '@nestjs/swagger';
import { INVITATION_STATUSES } from '@tessera/domain';
import type { CreatedInvitationDto as CreatedShape, InvitationDto as InvitationShape, InvitationStatus, Page } from '@tessera/domain';
import { ActorDto } from '../../tokens/dto/token.dto';

export class InvitationDto implements InvitationShape {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'email' })
  email!: string;

  @ApiProperty({ format: 'uuid' })
  roleId!: string;

  @ApiProperty({ example: 'Read only' })
  roleName!: string;

  @ApiProperty({ enum: INVITATION_STATUSES })
  status!: InvitationStatus;

  @ApiProperty({ format: 'date-time', description: '72 hours after sentAt' })
  expiresAt!: string;

  @ApiProperty({ format: 'date-time', description: 'When the current link was made (creation or last resend)' })
  sentAt!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: ActorDto })
  invitedBy!: ActorDto;
}

export class CreatedInvitationDto implements CreatedShape {
  @ApiProperty({ type: InvitationDto })
  invitation!: InvitationDto;

  @ApiProperty({
    example: 'https://tessera.example.com/invitations/accept#secret=tsi_…',
    description: 'The single-use link, shown once; the secret is in the fragment, never sent to a server by a browser',
  })
  link!: string;

  @ApiProperty({ description: 'true when SMTP_URL is set and the server accepted the e-mail' })
  emailed!: boolean;
}

export class InvitationPageDto implements Page<InvitationDto> {
  @ApiProperty({ type: [InvitationDto] })
  items!: InvitationDto[];

  @ApiProperty()
  total!: number;

  @ApiProperty()
  page!: number;

  @ApiProperty()
  pageSize!: number;
}
