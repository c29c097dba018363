// Typed errors of the Kubernetes API: one class per reason a caller acts on, parsed from the server's Status body.
// Callers branch with the helpers (isNotFound, isConflict, …) or `instanceof`; the raw Status stays attached.

/** The `details.causes[]` entry of a Status: which field was wrong and why. */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** The subset of metav1.Status the runtime reads. */
export interface ApiStatus {
  readonly kind?: string;
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
}

/** What was being done when the error happened, for messages and logs. */
export interface RequestInfo {
  readonly method: string;
  readonly path: string;
}

export interface ApiErrorInit {
  readonly code: number;
  readonly reason: string;
  readonly status?: ApiStatus;
  readonly request?: RequestInfo;
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/** An error answer of the API server (or one synthesized for the cache with the same meaning). */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  /** HTTP status code (404, 409, …). */
  readonly code: number;
  /** metav1.StatusReason: NotFound, AlreadyExists, Conflict, Invalid, … ("Unknown" when the body had none). */
  readonly reason: string;
  readonly status: ApiStatus | undefined;
  readonly request: RequestInfo | undefined;
  /** From the Retry-After header or details.retryAfterSeconds. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, init: ApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.reason = init.reason;
    this.status = init.status;
    this.request = init.request;
    this.retryAfterSeconds = init.retryAfterSeconds ?? init.status?.details?.retryAfterSeconds;
  }
}

export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
}
export class AlreadyExistsError extends ApiError {
  override readonly name = 'AlreadyExistsError';
}
/** Optimistic concurrency failed (stale resourceVersion), or an apply conflicted with another field manager. */
export class ConflictError extends ApiError {
  override readonly name = 'ConflictError';
}
/** The object failed validation; `causes` lists each field and what was wrong with it. */
export class InvalidError extends ApiError {
  override readonly name = 'InvalidError';
  get causes(): readonly StatusCause[] {
    return this.status?.details?.causes ?? [];
  }
}
export class BadRequestError extends ApiError {
  override readonly name = 'BadRequestError';
}
export class TooManyRequestsError extends ApiError {
  override readonly name = 'TooManyRequestsError';
}
/** The resourceVersion (or continue token) asked for is older than the server keeps: list again. */
export class GoneError extends ApiError {
  override readonly name = 'GoneError';
}
export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';
}
export class UnauthorizedError extends ApiError {
  override readonly name = 'UnauthorizedError';
}
export class ServerTimeoutError extends ApiError {
  override readonly name = 'ServerTimeoutError';
}
export class InternalError extends ApiError {
  override readonly name = 'InternalError';
}
export class ServiceUnavailableError extends ApiError {
  override readonly name = 'ServiceUnavailableError';
}
export class MethodNotSupportedError extends ApiError {
  override readonly name = 'MethodNotSupportedError';
}
export class UnsupportedMediaTypeError extends ApiError {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** The request never got an HTTP answer (connection refused or reset, TLS failure, timeout). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly request: RequestInfo;
  constructor(request: RequestInfo, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`${request.method} ${request.path}: ${detail}`, { cause });
    this.request = request;
  }
}

/** No resource serves this group/version/kind (yet): the CRD is missing or not established. */
export class NoKindMatchError extends Error {
  override readonly name = 'NoKindMatchError';
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  constructor(kind: { group: string; version: string; kind: string }, cause?: unknown) {
    const gv = kind.group ? `${kind.group}/${kind.version}` : kind.version;
    super(`no resource for kind ${kind.kind} in ${gv}`, cause === undefined ? undefined : { cause });
    this.group = kind.group;
    this.version = kind.version;
    this.kind = kind.kind;
  }
}

type ApiErrorClass = new (message: string, init: ApiErrorInit) => ApiError;

// The reason in the body wins; the HTTP code decides when the body has none (e.g. a proxy's plain-text 503).
const BY_REASON: Readonly<Record<string, ApiErrorClass>> = {
  NotFound: NotFoundError,
  AlreadyExists: AlreadyExistsError,
  Conflict: ConflictError,
  Invalid: InvalidError,
  BadRequest: BadRequestError,
  TooManyRequests: TooManyRequestsError,
  Gone: GoneError,
  Expired: GoneError,
  Forbidden: ForbiddenError,
  Unauthorized: UnauthorizedError,
  Timeout: ServerTimeoutError,
  ServerTimeout: ServerTimeoutError,
  InternalError: InternalError,
  ServiceUnavailable: ServiceUnavailableError,
  MethodNotAllowed: MethodNotSupportedError,
  UnsupportedMediaType: UnsupportedMediaTypeError,
};

const BY_CODE: Readonly<Record<number, ApiErrorClass>> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  405: MethodNotSupportedError,
  409: ConflictError,
  410: GoneError,
  415: UnsupportedMediaTypeError,
  422: InvalidError,
  429: TooManyRequestsError,
  500: InternalError,
  503: ServiceUnavailableError,
  504: ServerTimeoutError,
};

/** Parses a metav1.Status from a response body; undefined when the body is not one. */
export function parseStatus(body: string | unknown): ApiStatus | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const status = value as ApiStatus;
  return status.kind === 'Status' || typeof status.reason === 'string' || typeof status.code === 'number'
    ? status
    : undefined;
}

/** The typed error for an HTTP error answer (status ≥ 400) or a watch ERROR event's Status. */
export function apiErrorFrom(
  code: number,
  body: string | unknown,
  request?: RequestInfo,
  retryAfterSeconds?: number,
): ApiError {
  const status = parseStatus(body);
  const effectiveCode = status?.code && status.code >= 400 ? status.code : code;
  const reason = status?.reason || reasonForCode(effectiveCode);
  const Class = BY_REASON[reason] ?? BY_CODE[effectiveCode] ?? ApiError;
  const where = request ? `${request.method} ${request.path}: ` : '';
  const text =
    status?.message ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 500) : `HTTP ${effectiveCode}`);
  const causes = status?.details?.causes ?? [];
  const detail = reason === 'Invalid' && causes.length > 0 && !status?.message ? ` (${formatCauses(causes)})` : '';
  return new Class(`${where}${text}${detail}`, {
    code: effectiveCode,
    reason,
    status,
    request,
    retryAfterSeconds,
  });
}

function formatCauses(causes: readonly StatusCause[]): string {
  return causes.map((c) => `${c.field ?? '?'}: ${c.message ?? c.reason ?? 'invalid'}`).join('; ');
}

function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 410:
      return 'Gone';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return 'Unknown';
  }
}

/** Synthesized NotFound (the cache's answer for a missing key), shaped like the server's. */
export function notFound(kind: string, name: string, cause?: unknown): NotFoundError {
  return new NotFoundError(`${kind} "${name}" not found`, {
    code: 404,
    reason: 'NotFound',
    status: { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, details: { name, kind } },
    cause,
  });
}

export const isNotFound = (err: unknown): err is NotFoundError => err instanceof NotFoundError;
export const isAlreadyExists = (err: unknown): err is AlreadyExistsError => err instanceof AlreadyExistsError;
export const isConflict = (err: unknown): err is ConflictError => err instanceof ConflictError;
export const isInvalid = (err: unknown): err is InvalidError => err instanceof InvalidError;
export const isGone = (err: unknown): err is GoneError => err instanceof GoneError;
export const isForbidden = (err: unknown): err is ForbiddenError => err instanceof ForbiddenError;
export const isUnauthorized = (err: unknown): err is UnauthorizedError => err instanceof UnauthorizedError;
export const isTooManyRequests = (err: unknown): err is TooManyRequestsError => err instanceof TooManyRequestsError;
export const isNoKindMatch = (err: unknown): err is NoKindMatchError => err instanceof NoKindMatchError;

/** Worth retrying later as is: throttling, server timeouts and unavailability, lost connections. */
export function isTransient(err: unknown): boolean {
  return (
    err instanceof TooManyRequestsError ||
    err instanceof ServerTimeoutError ||
    err instanceof ServiceUnavailableError ||
    err instanceof InternalError ||
    err instanceof TransportError
  );
}

/** Swallows NotFound (resolving to undefined); rethrows anything else. Use as `.catch(ignoreNotFound)`. */
export function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}

/** Swallows AlreadyExists (resolving to undefined); rethrows anything else. */
export function ignoreAlreadyExists(err: unknown): undefined {
  if (isAlreadyExists(err)) return undefined;
  throw err;
}
