import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../common/decorators';
import { PermissionCatalogDto } from './dto/permission-catalog.dto';
import { PermissionsService } from './permissions.service';

@ApiTags('permissions')
@ApiBearerAuth()
@Controller('permissions')
export class PermissionsController {
  constructor(private readonly permissions: PermissionsService) {}

  @Get()
  @RequirePermission('tokens:read')
  @ApiOperation({ summary: 'The permission catalog: resources and their actions' })
  @ApiOkResponse({ type: PermissionCatalogDto })
  catalog(): PermissionCatalogDto {
    return this.permissions.getCatalog();
  }
}
