import { Injectable, PipeTransform } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { ProblemException } from '../common/problem';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Path ids are UUIDs. Anything else is answered 404 like an id that does not exist (or exists in
 * another organization): the caller learns nothing about what ids look like elsewhere, and
 * PostgreSQL never sees a malformed uuid.
 */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'Resource') {}

  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw new ProblemException(404, 'Not Found', `${this.what} not found (${metadata.data ?? 'id'} is not a UUID)`);
    }
    return value.toLowerCase();
  }
}
