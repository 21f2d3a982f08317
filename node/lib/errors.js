'use strict';
// The error classes. The addon throws/rejects with an Error whose message is a marked JSON
// record (kind, name, status, requestId, body, …); `fromNative` rebuilds the exported class so
// `instanceof` works and the fields are plain properties.

const MARKER = '\u0001cadenya:';

class CadenyaError extends Error {
  constructor(message, options) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: new.target.name, configurable: true, writable: true });
  }
}

/** A non-2xx response. */
class APIError extends CadenyaError {
  constructor(message, fields = {}) {
    super(message);
    /** HTTP status. */
    this.status = fields.status;
    /** The `x-request-id` response header. */
    this.requestId = fields.requestId ?? null;
    /** The response body: parsed JSON when it is JSON, else the text. */
    this.body = parseBody(fields.body);
    /** `code` of the google.rpc.Status body, when present. */
    this.code = fields.code ?? null;
    /** `details` of the google.rpc.Status body. */
    this.details = fields.details ?? [];
    /** Response headers (lower-case names). */
    this.headers = fields.headers ?? {};
  }
}
class BadRequestError extends APIError {}
class AuthenticationError extends APIError {}
class PermissionDeniedError extends APIError {}
class NotFoundError extends APIError {}
class ConflictError extends APIError {}
class UnprocessableEntityError extends APIError {}
class RateLimitError extends APIError {}
class InternalServerError extends APIError {}

/** The request could not be sent or the response not read (refused, reset, dropped, truncated). */
class APIConnectionError extends CadenyaError {}
/** An attempt took longer than the timeout (after any retries). */
class APITimeoutError extends APIConnectionError {}
/** The request's `AbortSignal` fired. */
class APIUserAbortError extends CadenyaError {
  constructor(message = 'request was aborted') {
    super(message);
  }
}
/** A 2xx response whose body is not the JSON the operation returns. */
class APIResponseValidationError extends CadenyaError {
  constructor(message, fields = {}) {
    super(message);
    this.status = fields.status;
    this.requestId = fields.requestId ?? null;
    /** Where decoding failed. */
    this.path = fields.path ?? '';
  }
}
/** The call was refused before anything was sent (empty id, unknown parameter, …). */
class InvalidRequestError extends CadenyaError {}
/** The client could not be configured (no API key, bad base URL, …). */
class ConfigurationError extends CadenyaError {}
/** A webhook failed verification, or its body is not the webhook envelope. */
class WebhookVerificationError extends CadenyaError {
  constructor(message, fields = {}) {
    super(message);
    /** missing_header | bad_timestamp | too_old | too_new | bad_signature | bad_secret | bad_payload */
    this.kind = fields.webhookKind;
  }
}

const API_CLASSES = {
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIError,
};

function parseBody(text) {
  if (typeof text !== 'string' || text === '') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fromRecord(r) {
  switch (r.kind) {
    case 'api':
      return new (API_CLASSES[r.name] || APIError)(r.message, r);
    case 'connection':
      return new APIConnectionError(r.message);
    case 'timeout':
      return new APITimeoutError(r.message);
    case 'aborted':
      return new APIUserAbortError(r.message);
    case 'decode':
      return new APIResponseValidationError(r.message, r);
    case 'invalid_request':
      return new InvalidRequestError(r.message);
    case 'configuration':
      return new ConfigurationError(r.message);
    case 'webhook':
      return new WebhookVerificationError(r.message, r);
    default:
      return new CadenyaError(r.message);
  }
}

/** The exported error for an addon error; anything else is returned unchanged. */
function fromNative(e) {
  if (e instanceof Error && typeof e.message === 'string' && e.message.startsWith(MARKER)) {
    let record;
    try {
      record = JSON.parse(e.message.slice(MARKER.length));
    } catch {
      return e;
    }
    return fromRecord(record);
  }
  return e;
}

module.exports = {
  fromNative,
  CadenyaError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  APIResponseValidationError,
  InvalidRequestError,
  ConfigurationError,
  WebhookVerificationError,
};
