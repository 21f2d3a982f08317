// ES module entry: the same objects as `require('cadenya')`, so `instanceof` agrees across both.
import cjs from './index.js';

export const {
  Cadenya,
  API_VERSION,
  OPERATIONS,
  ClientBase,
  ResourceBase,
  APIPromise,
  APIResponse,
  CursorPage,
  PagePromise,
  Webhook,
  Webhooks,
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
} = cjs;
export default Cadenya;
