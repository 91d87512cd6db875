import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiQuery, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * The OpenAPI 3.0 schema of what a zod schema from @tessera/domain accepts (its input side:
 * defaults make fields optional; limits, enums, formats and `strict` → additionalProperties: false).
 * Checks that JSON Schema cannot say (IP/CIDR grammar, permission grammar, cross-field rules) stay
 * in the validation pipe; the document carries everything it can.
 */
export function openApiSchemaOf(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as SchemaObject;
}

/**
 * Documents a route's JSON body from the zod schema its `ZodValidationPipe` applies:
 * `@ApiZodBody(createTokenSchema)` next to `@Body(new ZodValidationPipe(createTokenSchema))`.
 * apps/api/src/app/openapi-zod.http.spec.ts checks that the two name the same schema.
 */
export const ApiZodBody = (schema: z.ZodType, options: { required?: boolean; description?: string } = {}) =>
  ApiBody({ schema: openApiSchemaOf(schema), required: options.required ?? true, description: options.description });

/** Documents each query parameter of a zod object schema (one `@ApiQuery` per property). */
export function ApiZodQuery(schema: z.ZodType): MethodDecorator {
  const json = openApiSchemaOf(schema);
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description } = property as SchemaObject;
      return ApiQuery({ name, required: required.has(name), schema: property as SchemaObject, ...(description ? { description } : {}) });
    }),
  );
}
