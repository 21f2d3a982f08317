// Types of the hand-written part of the package: options, pagination, webhooks and errors.
// The models, params and resources are generated into ../index.d.ts.

import type { UnwrapWebhookEvent, UnsafeUnwrapWebhookEvent } from '../index';

/** Client options. Each unset option falls back to its environment variable, then its default. */
export interface ClientOptions {
  /** Sent as `Authorization: Bearer …`. Default: `CADENYA_API_KEY` (required). */
  apiKey?: string;
  /** Default: `CADENYA_BASE_URL`, then `https://api.cadenya.com`. */
  baseURL?: string;
  /** Default `{workspaceId}` of every call. Default: `CADENYA_WORKSPACE_ID`. */
  workspaceId?: string;
  /** Secret for `client.webhooks`. Default: `CADENYA_WEBHOOK_SECRET`, then `CADENYA_WEBHOOK_KEY`. */
  webhookSecret?: string;
  /** Per-attempt timeout in milliseconds. Default 60000. */
  timeout?: number;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** Headers sent with every request (added to those of `CADENYA_CUSTOM_HEADERS`). */
  defaultHeaders?: HeadersLike;
  /** Level up to which the core logs: off, error, warn, info, debug, trace. Default: `CADENYA_LOG`, then warn. */
  logLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /**
   * Receives the core's log records up to `logLevel`, as `logger[level]('cadenya: http request',
   * fields)`. Fields: operation, method, path (the template), status, attempt, duration_ms,
   * request_id; retries add reason and wait_ms. No record holds a key, secret or body. Default: `console`.
   */
  logger?: Logger;
  /** Extra certificate authorities to trust: a PEM file path, or PEM text (string or Buffer). */
  caBundle?: string | Uint8Array;
  /** Proxy URL for every request (`http://host:port`); overrides `HTTPS_PROXY` / `NO_PROXY`. */
  proxy?: string;
  /** Longest wait for a connection (TCP and TLS) in milliseconds. */
  connectTimeout?: number;
}

/** Any object with these four methods (`console`, pino, winston, …). */
export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

/** Options of `client.objectives.wait`. */
export interface ObjectiveWaitOptions {
  /** Resolve once `status.state` is one of these. Default: STATE_FINALIZED, STATE_FAILED, STATE_CANCELLED. */
  states?: Array<'STATE_PENDING' | 'STATE_RUNNING' | 'STATE_WAITING' | 'STATE_FAILED' | 'STATE_CANCELLED' | 'STATE_FINALIZED'>;
  /** Give up after this many milliseconds with `WaitTimeoutError` (`detail`: the last state). Default 300000. */
  timeout?: number;
  /** The workspace of the objective; defaults to the client's. */
  workspaceId?: string;
  signal?: AbortSignal | null;
}

/** Options of `client.objectives.followEvents`. */
export interface FollowEventsOptions {
  /** Resume: only events recorded after this one. */
  afterEventId?: string;
  /** Give up after this many milliseconds with `WaitTimeoutError` if the objective is still running. */
  timeout?: number;
  /** The workspace of the objective; defaults to the client's. */
  workspaceId?: string;
  signal?: AbortSignal | null;
}

/** A plain object of header values, `[name, value]` pairs or a Fetch `Headers`. */
export type HeadersLike =
  | Record<string, string | number | boolean | null | undefined>
  | Array<[string, string]>
  | { forEach(cb: (value: string, name: string) => void): void; get(name: string): string | null };

/** Per-request options: the last argument of every method. */
export interface RequestOptions {
  /** Cancels the call: the in-flight request is dropped and the promise rejects with `APIUserAbortError`. */
  signal?: AbortSignal | null;
  /** Per-attempt timeout in milliseconds for this call. */
  timeout?: number;
  /** Retries after the first attempt for this call. */
  maxRetries?: number;
  /** Extra headers for this call (they replace default headers of the same name). */
  headers?: HeadersLike;
  /** Sent as `Idempotency-Key`; lets a POST/PATCH be retried after a 5xx, timeout or dropped connection. */
  idempotencyKey?: string;
  /** Extra query parameters. */
  query?: Record<string, string | number | boolean | Array<string | number | boolean> | undefined>;
  /** Extra JSON body fields, merged over the params' (its keys win); only for operations with a body. */
  body?: Record<string, unknown>;
}

/** The part of the client that is not generated. */
export declare class ClientBase {
  constructor(options?: ClientOptions);
  readonly baseURL: string;
  readonly workspaceId: string | null;
  /** Milliseconds. */
  readonly timeout: number;
  readonly maxRetries: number;
  /** Webhook verification with the client's secret (or `{ secret }` per call). */
  readonly webhooks: Webhooks;
  /** Ends the calls in flight (they reject with `ConfigurationError`) and refuses later ones. */
  close(): void;
}

/** One page of a list; `for await` over it walks its items and those of every later page. */
export declare class CursorPage<T> implements AsyncIterable<T> {
  readonly items: T[];
  /** The cursor of the next page; null on the last page. */
  readonly nextCursor: string | null;
  hasNextPage(): boolean;
  /** The next page, or null after the last one. */
  nextPage(options?: { signal?: AbortSignal | null }): Promise<CursorPage<T> | null>;
  /** As `nextPage`, but rejects with `CadenyaError` after the last page. */
  getNextPage(options?: { signal?: AbortSignal | null }): Promise<CursorPage<T>>;
  /** This page and every page after it. */
  iterPages(): AsyncIterableIterator<CursorPage<T>>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

/**
 * What a list method returns: `await` it for the first page, or `for await` it for every item
 * of every page (later pages are fetched lazily). The first request starts at once.
 */
export declare class PagePromise<T> implements PromiseLike<CursorPage<T>>, AsyncIterable<T> {
  /** Called on the call before awaiting it: the first page with its response (as the official SDKs). */
  withResponse(): Promise<{ data: CursorPage<T>; response: APIResponse<CursorPage<T>> }>;
  then<R1 = CursorPage<T>, R2 = never>(
    onfulfilled?: ((value: CursorPage<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<CursorPage<T> | R>;
  finally(onfinally?: (() => void) | null): Promise<CursorPage<T>>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

/**
 * What a call other than a list returns: a Promise of the value. `.withResponse()`, called on
 * the call before awaiting it, resolves to the value with its response (as the official SDKs).
 */
export declare class APIPromise<T> extends Promise<T> {
  withResponse(): Promise<{ data: T; response: APIResponse<T> }>;
}

/** A successful response with its metadata: what `withRawResponse` methods resolve to. */
export declare class APIResponse<T> {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, names lower-case (repeated headers joined with ", "). */
  readonly headers: Record<string, string>;
  /** The `x-request-id` header: quote it when contacting support. */
  readonly requestId: string | null;
  /** The value the plain method resolves to (for a list: its first page). */
  readonly data: T;
}

/**
 * A resource whose methods resolve to an `APIResponse` of what they would return: a list's
 * first page rather than a `PagePromise`; sub-resources are raw as well.
 */
export type WithRawResponse<R> = {
  readonly [K in Exclude<keyof R, 'withRawResponse'>]: R[K] extends (...args: infer A) => PagePromise<infer T>
    ? (...args: A) => Promise<APIResponse<CursorPage<T>>>
    : R[K] extends (...args: infer A) => Promise<infer T>
      ? (...args: A) => Promise<APIResponse<T>>
      : R[K] extends ResourceBase
        ? WithRawResponse<R[K]>
        : R[K];
};

/** The base of every resource class (`client.agents`, `client.agents.variations`, …). */
export declare class ResourceBase {
  /** The same operations, resolving to an `APIResponse` (status, headers, request id, data). */
  readonly withRawResponse: WithRawResponse<this>;
}

/** A webhook body: the raw request body, exactly as received. */
export type WebhookPayload = string | Uint8Array | ArrayBuffer;

/** Webhook request headers: a plain object (e.g. `req.headers`) or a Fetch `Headers`. */
export type WebhookHeaders =
  | Record<string, string | string[] | undefined>
  | { forEach(cb: (value: string, name: string) => void): void; get(name: string): string | null };

export interface WebhookOptions {
  /** The signing secret (`whsec_…`); default: the client's `webhookSecret`. */
  secret?: string;
}

/** A Standard Webhooks verifier for one secret. */
export declare class Webhook {
  /** Throws `WebhookVerificationError` (`bad_secret`) for a malformed secret. */
  constructor(secret: string);
  verify(payload: WebhookPayload, headers: WebhookHeaders): void;
  unwrap(payload: WebhookPayload, headers: WebhookHeaders): UnwrapWebhookEvent;
  /** The `webhook-signature` header value (`v1,…`) for a message. */
  sign(msgId: string, timestamp: number, payload: string | Uint8Array): string;
}

/** `client.webhooks`. */
export declare class Webhooks {
  /** Checks the headers, timestamp and signature; throws `WebhookVerificationError`. */
  verify(payload: WebhookPayload, headers: WebhookHeaders, options?: WebhookOptions): void;
  verify(payload: WebhookPayload, options: { headers: WebhookHeaders; key?: string }): void;
  /** Verifies, then returns the parsed event; throws `WebhookVerificationError`. */
  unwrap(payload: WebhookPayload, headers: WebhookHeaders, options?: WebhookOptions): UnwrapWebhookEvent;
  /** The official SDKs' form: `key` is the secret (the client's when left out). */
  unwrap(payload: WebhookPayload, options: { headers: WebhookHeaders; key?: string }): UnwrapWebhookEvent;
  /** Parses the event WITHOUT verifying it: only for bodies whose origin is already trusted. */
  unsafeUnwrap(payload: WebhookPayload): UnsafeUnwrapWebhookEvent;
}

// The error classes, generated from the error table.
export * from './errors';
