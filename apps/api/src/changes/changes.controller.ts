import { Controller, Headers, type MessageEvent, Query, Sse } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type ChangesQuery, changesQuerySchema } from '@tessera/domain';
import type { Observable } from 'rxjs';
import { CurrentPrincipal, RequirePermission } from '../common/decorators';
import { ApiZodQuery } from '../common/openapi-zod';
import type { Principal } from '../common/principal';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ChangesService } from './changes.service';

export const CHANGES_PATH = 'changes';

/** Events waiting for a client that does not read them; past this its connection is dropped. */
const MAX_PENDING_CHARACTERS = 256 * 1024;

@ApiTags('changes')
@Controller(CHANGES_PATH)
export class ChangesController {
  constructor(private readonly changes: ChangesService) {}

  @Sse('', { maxPendingDataLength: MAX_PENDING_CHARACTERS })
  @RequirePermission('changes:read')
  @ApiOperation({
    summary: "The organization's token, role and IP allowlist changes as Server-Sent Events (docs/integrating.md)",
    description:
      'Events `ready` {org, resumed, heartbeatMs}, `change` {kind: token|role|allowlist, id, org}, `reset` {reason}; ' +
      'ids `<generation>.<sequence>`; a `: ping` comment every `heartbeat` ms. Send `Last-Event-ID` to resume; ' +
      '`ready.resumed: false` means drop whatever you cached. 503 while the change feed is down, 429 past 100 open streams per organization.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received, to resume from' })
  @ApiZodQuery(changesQuerySchema)
  @ApiOkResponse({ description: 'text/event-stream' })
  stream(
    @CurrentPrincipal() who: Principal,
    @Query(new ZodValidationPipe(changesQuerySchema)) query: ChangesQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
  ): Observable<MessageEvent> {
    return this.changes.stream(who, lastEventId ?? null, query.heartbeat);
  }
}
