/** The error body of the native API and of the shared error plugin: `{code, reason, request_id, param?}`. */
import { Type, type TRef } from '@sinclair/typebox';
import { ERRORS } from '../../domain/error.registry.js';

export const ErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable error code from the registry, e.g. NO_FACE' }),
    reason: Type.String({ description: 'Human-readable explanation' }),
    request_id: Type.String(),
    param: Type.Optional(Type.String({ description: 'The parameter at fault, when there is one' })),
  },
  { additionalProperties: true, $id: 'Error' },
);

/** The registry's codes answered with `status`, so each documented response names its codes. */
const codesOf = (status: number): string[] =>
  Object.entries(ERRORS)
    .filter(([, e]) => e.status === status)
    .map(([code]) => code);

/**
 * Error responses for a route's schema: each status with the Error body and, as its description,
 * the codes it can carry (read from the registry, so a new code shows up without editing routes).
 */
export function errorResponses(...statuses: number[]): Record<number, TRef> {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error', { description: codesOf(s).join(', ') || 'Error' })]));
}
