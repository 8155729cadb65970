/** Schema pieces every image-taking route shares. */
import type { TSchema } from '@sinclair/typebox';

export const IMAGE_CONSUMES = ['multipart/form-data', 'application/json', 'image/jpeg', 'image/png', 'application/octet-stream'];

/**
 * Only JSON bodies are validated by schema: multipart parts are streamed and read by
 * image-input, and raw image bodies are bytes. Fastify skips the content types not listed.
 */
export const imageBody = (json: TSchema) => ({ content: { 'application/json': { schema: json } } });

/**
 * Multipart file fields, for the docs only: the OpenAPI plugin turns this into a
 * multipart/form-data request body (Fastify must not validate multipart, see imageBody).
 */
export const multipartDoc = (files: string[] = ['image']) => ({ 'x-multipart-files': files });
