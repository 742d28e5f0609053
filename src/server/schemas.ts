// JSON schemas shared by several routes (validation in, serialization out, and the OpenAPI document).
export const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string' }, message: { type: 'string' } },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** The usual answers of a guarded route besides 200. */
export const guarded = { 401: errorSchema, 403: errorSchema } as const;
