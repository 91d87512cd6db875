import { ApiProperty } from '@nestjs/swagger';
import type { IpAllowlistDto as IpAllowlistShape } from '@tessera/domain';

export class IpAllowlistEntryDto {
  @ApiProperty({ example: '203.0.113.0/24', description: 'IPv4/IPv6 address or CIDR' })
  cidr!: string;

  @ApiProperty({ example: 'Office', maxLength: 200 })
  note!: string;
}

export class IpAllowlistDto implements IpAllowlistShape {
  @ApiProperty({ type: [IpAllowlistEntryDto], description: 'Empty = no organization-wide restriction' })
  entries!: IpAllowlistEntryDto[];

  @ApiProperty({ example: '127.0.0.1', description: 'The address this request came from, as the api sees it' })
  callerIp!: string;
}

