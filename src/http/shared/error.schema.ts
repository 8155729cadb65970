/** The error body of the native API and of the shared error plugin: `{code, reason, request_id, param?}`. */
import { Type } from '@sinclair/typebox';

export const ErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable error code from the registry, e.g. NO_FACE' }),
    reason: Type.String({ description: 'Human-readable explanation' }),
    request_id: Type.String(),
    param: Type.Optional(Type.String({ description: 'The parameter at fault, when there is one' })),
  },
  { additionalProperties: true, $id: 'Error' },
);
