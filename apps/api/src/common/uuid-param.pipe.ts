import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { badRequest } from './problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Path ids are UUIDs: anything else answers 400 problem+json naming the parameter (like the auth
 * module's ParseUUIDPipe), so PostgreSQL never sees a malformed uuid. Well-formed ids that do not
 * exist in the caller's organization answer 404 in the services.
 */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  constructor(private readonly what = 'Resource') {}

  transform(value: unknown, metadata: ArgumentMetadata): string {
    const name = metadata.data ?? 'id';
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw badRequest(`${this.what} ${name} must be a UUID`, [{ field: name, message: 'must be a UUID' }]);
    }
    return value.toLowerCase();
  }
}
