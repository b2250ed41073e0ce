import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every API failure, by code; the one place where a code becomes an HTTP status. */
export const API_ERRORS = {
  unauthorized: 401,
  forbidden: 403,
  bad_request: 400,
  /** A search parameter the route does not implement (PDQm: an error rather than silently ignored). */
  unsupported_parameter: 400,
  unknown_source_domain: 400,
  unknown_target_domain: 403,
  not_found: 404,
  /** The resource changed since it was read (stale version, already resolved), or the change is refused as it stands. */
  conflict: 409,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>;
export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): ContentfulStatusCode {
    return API_ERRORS[this.code];
  }
}

/** FHIR issue-type codes for OperationOutcome. */
const FHIR_ISSUE: Record<ApiErrorCode, string> = {
  unauthorized: 'login',
  forbidden: 'forbidden',
  bad_request: 'invalid',
  unsupported_parameter: 'not-supported',
  unknown_source_domain: 'code-invalid',
  unknown_target_domain: 'code-invalid',
  not_found: 'not-found',
  conflict: 'conflict',
  payload_too_large: 'too-costly',
  unavailable: 'transient',
  internal: 'exception',
};

export function operationOutcome(code: ApiErrorCode, message: string) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: FHIR_ISSUE[code], diagnostics: message }] };
}

/** REST routes answer with one envelope; FHIR routes with an OperationOutcome. */
export function errorResponse(c: Context, err: ApiError) {
  if (c.req.path.startsWith('/fhir/')) {
    return c.json(operationOutcome(err.code, err.message), err.status, { 'content-type': 'application/fhir+json' });
  }
  return c.json({ error: { code: err.code, message: err.message } }, err.status);
}
