import { type PipeTransform } from '@nestjs/common';
import { validate } from '@tessera/domain';
import type { z } from 'zod';
import { ProblemException } from './problem';

/**
 * Validates a body or query with a schema from @tessera/domain (strict: unknown keys rejected)
 * and answers 400 problem+json naming every bad field.
 * `@Body(new ZodValidationPipe(createTokenSchema)) body: CreateTokenInput`
 */
export class ZodValidationPipe<T> implements PipeTransform<unknown, T> {
  /** Public so the OpenAPI check can compare the document with what is enforced. */
  constructor(readonly schema: z.ZodType<T>) {}

  transform(value: unknown): T {
    const result = validate(this.schema, value ?? {});
    if (result.ok) return result.value;
    throw new ProblemException(400, 'Validation failed', 'One or more fields are invalid', result.errors);
  }
}
