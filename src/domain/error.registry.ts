/**
 * The one registry of error codes. Every failure a client can see has a stable code here, a
 * default HTTP status and a default message. Core code throws `VisageError`; only the HTTP error
 * plugin and each dialect's mapper turn it into a response.
 */
export const ERRORS = {
  BAD_PARAM: { status: 400, message: 'A parameter is missing or invalid' },
  BAD_REQUEST: { status: 400, message: 'The request is malformed' },
  IMAGE_MISSING: { status: 400, message: 'No image was given (multipart "image", JSON "image" or "url")' },
  IMAGE_DECODE_FAILED: { status: 400, message: 'The image could not be decoded' },
  IMAGE_TOO_LARGE: { status: 413, message: 'The image exceeds the size or pixel limit' },
  IMAGE_TOO_SMALL: { status: 400, message: 'The image is too small to contain a face' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not a supported image type' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body exceeds the size limit' },
  URL_FORBIDDEN: { status: 400, message: 'The URL is not allowed' },
  URL_FETCH_FAILED: { status: 400, message: 'The image URL could not be fetched' },
  NO_FACE: { status: 422, message: 'No face was found in the image' },
  TOO_MANY_FACES: { status: 422, message: 'The image holds more faces than allowed' },
  TEMPLATE_INVALID: { status: 400, message: 'The template is not a valid Visage template' },
  TEMPLATE_MODEL_MISMATCH: { status: 422, message: 'The template was made by another model version' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  GALLERY_NOT_FOUND: { status: 404, message: 'The gallery does not exist' },
  GALLERY_EXISTS: { status: 409, message: 'A gallery with this name already exists' },
  FACE_NOT_FOUND: { status: 404, message: 'The face does not exist in this gallery' },
  DUPLICATE_ID: { status: 409, message: 'A face with this id already exists in the gallery' },
  AMBIGUOUS_ID: { status: 409, message: 'The id names one face by its internal id and another by its client id; say which with id_type' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  // Accounts, keys and limits.
  UNAUTHORIZED: { status: 401, message: 'A valid API key is required' },
  KEY_EXPIRED: { status: 401, message: 'The API key has expired' },
  FORBIDDEN: { status: 403, message: 'The API key does not have the scope this request needs' },
  IP_NOT_ALLOWED: { status: 403, message: 'The API key is not allowed from this IP address' },
  IP_BLOCKED: { status: 403, message: 'Too many requests with invalid keys from this IP address; retry in a few minutes' },
  IP_BANNED: { status: 403, message: 'This IP address is banned after repeated requests with invalid keys' },
  INSUFFICIENT_CREDITS: { status: 402, message: 'The monthly credits of this account are spent' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down' },
  JOB_NOT_FOUND: { status: 404, message: 'The job does not exist' },
  KEY_NOT_FOUND: { status: 404, message: 'The API key does not exist' },
  // Perimeter limits.
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers exceed the size limit' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time' },
  JSON_TOO_DEEP: { status: 400, message: 'The JSON body is nested too deeply' },
  MULTIPART_LIMIT: { status: 413, message: 'The multipart form holds too many parts, files or fields' },
  NOT_READY: { status: 503, message: 'The models are still loading' },
  OVERLOADED: { status: 503, message: 'The server is busy; retry later' },
  TIMEOUT: { status: 503, message: 'The request took too long' },
  INTERNAL: { status: 500, message: 'Internal error' },
  // A background job's error (seen in the job, not as a response).
  JOB_INTERRUPTED: { status: 500, message: 'The worker running the job stopped before it finished, on every attempt' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Extra, client-safe facts attached to an error (`param` for BAD_PARAM, limits, counts). */
export type ErrorDetails = Record<string, string | number | boolean | string[] | undefined>;

export class VisageError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].message, options);
    this.name = 'VisageError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export function isVisageError(e: unknown): e is VisageError {
  return e instanceof VisageError;
}

/** BAD_PARAM always names the parameter, so clients can point at the field. */
export function badParam(param: string, message: string): VisageError {
  return new VisageError('BAD_PARAM', message, { param });
}
