'use strict';
// The client base, pagination and webhooks. Everything here converts arguments and results;
// behaviour (auth, retries, timeouts, error mapping, paging, verification) is the Rust core's.

const { inspect } = require('node:util');
const native = require('./native');
const errors = require('./errors');

const NATIVE = Symbol('cadenya.native');
const WALK = Symbol('cadenya.walk');
const SETTINGS = Symbol('cadenya.settings');

const KIND_EMPTY = 0;
const KIND_PAGE = 2;

/** `{a: 'x'}` or a Fetch `Headers` (or `[name, value]` pairs) as a plain object of strings. */
function headerRecord(h, what) {
  if (h == null) return undefined;
  const out = {};
  if (typeof h.forEach === 'function' && typeof h.get === 'function') {
    h.forEach((v, k) => {
      out[k] = String(v);
    });
  } else if (Array.isArray(h)) {
    for (const [k, v] of h) out[k] = String(v);
  } else if (typeof h === 'object') {
    for (const k of Object.keys(h)) {
      const v = h[k];
      if (v !== undefined && v !== null) out[k] = String(v);
    }
  } else {
    throw new errors.InvalidRequestError(`${what} must be an object or a Headers`);
  }
  return out;
}

function queryValue(v) {
  if (Array.isArray(v)) return v.map(queryValue).join(',');
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Milliseconds (JS) as seconds (the core), checked first so the message names the JS unit. */
function seconds(name, ms, Err) {
  if (ms === undefined || ms === null) return undefined;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new Err(`${Err === errors.ConfigurationError ? 'configuration error' : 'invalid request'}: ${name} must be a positive number of milliseconds`);
  }
  return ms / 1000;
}

/** Per-request options as the addon takes them (the signal is handled separately). */
function nativeOptions(o) {
  if (o == null) return null;
  if (typeof o !== 'object') throw new errors.InvalidRequestError('options must be an object');
  const { timeout, maxRetries, headers, idempotencyKey, query, body } = o;
  if (timeout === undefined && maxRetries === undefined && headers === undefined && idempotencyKey === undefined && query === undefined && body === undefined) {
    return null;
  }
  // `body`: fields the core merges into the JSON body last (its keys win), as Python's `extra_body`.
  if (body != null && (typeof body !== 'object' || Array.isArray(body))) {
    throw new errors.InvalidRequestError('invalid request: options.body must be an object');
  }
  let q;
  if (query != null) {
    q = {};
    for (const k of Object.keys(query)) if (query[k] !== undefined) q[k] = queryValue(query[k]);
  }
  return { timeout: seconds('timeout', timeout, errors.InvalidRequestError), maxRetries, headers: headerRecord(headers, 'headers'), idempotencyKey, query: q, body: body == null ? undefined : JSON.stringify(body) };
}

function checkSignal(signal) {
  if (signal != null && (typeof signal !== 'object' || typeof signal.addEventListener !== 'function')) {
    throw new errors.InvalidRequestError('signal must be an AbortSignal');
  }
}

// The JS half of the core's busy polling (core/src/busy_poll.rs). While a lone call is in
// flight, a chain of setImmediate callbacks keeps the event loop polling (libuv polls without
// blocking while immediates are pending) instead of sleeping, for at most the core's window, so
// the answer is picked up without a thread wake-up. Timers and I/O keep running meanwhile. Each
// turn yields the CPU first, so the spinning never delays the threads doing the call's work.
// Same adaptive rule as the core: only while the last call answered within the window (a slow
// API would make every spin pure cost), so the first call and calls after a slow one never spin.
// The window (the core's, `CADENYA_BUSY_POLL_US`) comes with the first client's settings.
let AWAKE_MS = 0;
let inFlight = 0;
let awakeUntil = 0;
let ticking = false;
let lastCallMs = Infinity;

function awakeTick() {
  if (inFlight === 1 && performance.now() < awakeUntil) {
    native.busyPollTurn();
    setImmediate(awakeTick);
  } else {
    ticking = false;
  }
}

function callStarted() {
  inFlight++;
  if (AWAKE_MS > 0 && inFlight === 1 && lastCallMs < AWAKE_MS) {
    awakeUntil = performance.now() + AWAKE_MS;
    if (!ticking) {
      ticking = true;
      setImmediate(awakeTick);
    }
  }
}

/**
 * Runs `start(token)` with an abort token wired to `signal`: when the signal fires, the token
 * cancels the Rust future (dropping the in-flight request) and the promise rejects with
 * `APIUserAbortError`.
 */
async function withSignal(signal, start) {
  callStarted();
  const t0 = AWAKE_MS > 0 ? performance.now() : 0;
  try {
    if (signal == null) return await start(undefined);
    if (signal.aborted) throw new errors.APIUserAbortError('request was aborted');
    const token = new native.AbortToken();
    const onAbort = () => token.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await start(token);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  } catch (e) {
    throw errors.fromNative(e);
  } finally {
    inFlight--;
    if (AWAKE_MS > 0) lastCallMs = performance.now() - t0;
  }
}

const LOG_METHODS = ['debug', 'info', 'warn', 'error'];

/**
 * The function the addon calls (on this thread) with each log record's JSON text: it hands the
 * record to `logger` (`console` by default) as `logger[level]('cadenya: <message>', fields)`.
 * The core already filtered by `logLevel` / `CADENYA_LOG`; a logger that throws is ignored.
 */
function logFunction(logger = console) {
  if (logger === null || typeof logger !== 'object' || LOG_METHODS.some((m) => typeof logger[m] !== 'function')) {
    throw new errors.ConfigurationError('configuration error: logger must be an object with debug, info, warn and error methods');
  }
  return (text) => {
    try {
      const r = JSON.parse(text);
      const level = LOG_METHODS.includes(r.level) ? r.level : 'debug';
      logger[level](`${r.target}: ${r.message}`, r.fields);
    } catch {
      // Logging never breaks a call.
    }
  };
}

/** `caBundle`: a PEM file path, or PEM text as a string or bytes. */
function caBundleOption(v) {
  if (v == null) return {};
  if (typeof v === 'string') return v.includes('-----BEGIN') ? { caBundlePem: Buffer.from(v) } : { caBundlePath: v };
  if (v instanceof Uint8Array) return { caBundlePem: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  throw new errors.ConfigurationError('configuration error: caBundle must be a file path, or PEM text as a string or Buffer');
}

class ClientBase {
  /**
   * @param {import('./core').ClientOptions} [options]
   */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new errors.ConfigurationError('configuration error: options must be an object');
    }
    const { apiKey, baseURL, workspaceId, webhookSecret, timeout, maxRetries, defaultHeaders, logLevel, logger, caBundle, proxy, connectTimeout } =
      options;
    const C = errors.ConfigurationError;
    let client;
    try {
      const settings = {
        apiKey,
        baseURL,
        workspaceId,
        webhookSecret,
        timeout: seconds('timeout', timeout, C),
        maxRetries,
        defaultHeaders: headerRecord(defaultHeaders, 'defaultHeaders'),
        logLevel,
        proxy,
        connectTimeout: seconds('connectTimeout', connectTimeout, C),
        ...caBundleOption(caBundle),
      };
      client = new native.NativeClient(settings, logFunction(logger));
    } catch (e) {
      throw errors.fromNative(e);
    }
    Object.defineProperty(this, NATIVE, { value: client });
    Object.defineProperty(this, SETTINGS, { value: Object.freeze(JSON.parse(client.settings())) });
    AWAKE_MS = this[SETTINGS].busyPollMicros / 1000;
    /** Webhook verification with this client's secret (or one passed per call). */
    this.webhooks = new Webhooks(client);
  }

  /** The base URL every request goes to. */
  get baseURL() {
    return this[SETTINGS].baseURL.replace(/\/$/, '');
  }
  /** The default workspace of every `{workspaceId}`, or null. */
  get workspaceId() {
    return this[SETTINGS].workspaceId ?? null;
  }
  /** Per-attempt timeout, in milliseconds. */
  get timeout() {
    return this[SETTINGS].timeout;
  }
  get maxRetries() {
    return this[SETTINGS].maxRetries;
  }

  /** Ends the calls in flight (they reject with `ConfigurationError`) and refuses later ones. */
  close() {
    this[NATIVE].close();
  }

  [inspect.custom]() {
    return `${this.constructor.name} { baseURL: '${this.baseURL}', workspaceId: ${this.workspaceId === null ? 'null' : `'${this.workspaceId}'`} }`;
  }

  /**
   * One operation: splits `params` into `{workspaceId}`, query and body by the operation's
   * descriptor (generated from the spec) and hands them to the core.
   * @internal
   */
  _call(op, positional, params, options) {
    const raw = () => this._callRaw(op, positional, params, options);
    let req;
    try {
      req = prepareCall(op, positional, params, options);
    } catch (e) {
      if (op.kind === KIND_PAGE) return new PagePromise(() => Promise.reject(e), raw);
      return Promise.reject(e);
    }
    const client = this[NATIVE];
    const { path, query, body, opts, signal } = req;
    const send = () => withSignal(signal, (t) => client.call(op.id, path, query, body, opts, false, t));
    if (op.kind === KIND_PAGE) return new PagePromise(() => send().then((page) => new CursorPage(page, signal)), raw);
    return new APIPromise(() => send().then(op.kind === KIND_EMPTY ? toUndefined : JSON.parse), raw);
  }

  /**
   * As `_call`, resolving to an `APIResponse`: status, headers and request id with the value.
   * @internal
   */
  _callRaw(op, positional, params, options) {
    let req;
    try {
      req = prepareCall(op, positional, params, options);
    } catch (e) {
      return Promise.reject(e);
    }
    const client = this[NATIVE];
    const { path, query, body, opts, signal } = req;
    return withSignal(signal, (t) => client.call(op.id, path, query, body, opts, true, t)).then(([status, headers, requestId, text, page]) => {
      let data;
      if (page) data = new CursorPage(page, signal);
      else if (text != null) data = JSON.parse(text);
      return new APIResponse(status, headers, requestId ?? null, data);
    });
  }

  /**
   * `client.objectives.wait(id, { states, timeout, workspaceId, signal })`.
   * @internal
   */
  async _waitObjective(id, options) {
    const { states, timeout, workspaceId, signal } = objectiveOptions(id, options);
    if (states !== undefined && !(Array.isArray(states) && states.every((s) => typeof s === 'string'))) {
      throw new errors.InvalidRequestError('invalid request: states must be an array of state names');
    }
    const text = await withSignal(signal, (t) => this[NATIVE].waitObjective(id, states ?? [], timeout, workspaceId, t));
    return JSON.parse(text);
  }

  /**
   * `client.objectives.followEvents(id, { afterEventId, timeout, workspaceId, signal })`.
   * @internal
   */
  async *_followEvents(id, options) {
    const { afterEventId, timeout, workspaceId, signal } = objectiveOptions(id, options);
    let events;
    try {
      events = this[NATIVE].followEvents(id, afterEventId, timeout, workspaceId);
    } catch (e) {
      throw errors.fromNative(e);
    }
    for (;;) {
      const text = await withSignal(signal, (t) => events.next(t));
      if (text === null) return;
      yield JSON.parse(text);
    }
  }
}

/** The options of an objective helper, checked; `timeout` in seconds for the addon. */
function objectiveOptions(id, options = {}) {
  if (typeof id !== 'string') throw new errors.InvalidRequestError('invalid request: the objective id must be a string');
  if (options === null || typeof options !== 'object') throw new errors.InvalidRequestError('invalid request: options must be an object');
  checkSignal(options.signal);
  return { ...options, timeout: seconds('timeout', options.timeout, errors.InvalidRequestError) };
}

/** Checks and converts one call's arguments into what the addon takes; throws on bad input. */
function prepareCall(op, positional, params, options) {
  const path = [];
  for (let i = 0; i < op.path.length; i++) {
    const v = positional[i];
    if (typeof v !== 'string') {
      throw new errors.InvalidRequestError(`invalid request: path parameter \`${op.path[i]}\` must be a string`);
    }
    path.push(op.path[i], v);
  }
  const query = [];
  let fields = null;
  if (params != null) {
    if (typeof params !== 'object' || Array.isArray(params)) {
      throw new errors.InvalidRequestError('invalid request: params must be an object');
    }
    for (const k of Object.keys(params)) {
      const v = params[k];
      if (v === undefined) continue;
      if (k === 'workspaceId' && op.ws) path.push('workspaceId', String(v));
      // Unknown names go where the core will refuse them by name.
      else if (op.query.includes(k) || !op.body) query.push(k, queryValue(v));
      else (fields ??= {})[k] = v;
    }
  }
  const body = fields === null ? null : JSON.stringify(fields);
  const opts = nativeOptions(options);
  const signal = options == null ? undefined : options.signal;
  checkSignal(signal);
  return { path, query, body, opts, signal };
}

/**
 * What a call (other than a list) returns: a Promise of the value. `.withResponse()`, called on
 * the call itself (`await client.agents.retrieve(id).withResponse()`), sends it as a raw call
 * instead and resolves to `{ data, response }` (`response` is an `APIResponse`), as the official
 * SDKs' method of that name does. The request starts in a microtask, so a call nobody awaits
 * still runs, exactly once.
 */
class APIPromise extends Promise {
  static get [Symbol.species]() {
    return Promise;
  }
  #settle = null;
  #raw = null;
  constructor(plain, raw) {
    if (raw === undefined) {
      super(plain); // `new APIPromise(executor)`, as Promise statics would call it
      return;
    }
    let settle;
    super((resolve, reject) => {
      settle = { resolve, reject };
    });
    this.#settle = settle;
    this.#raw = raw;
    queueMicrotask(() => {
      if (this.#raw === null) return; // withResponse() took over
      this.#raw = null;
      plain().then(settle.resolve, settle.reject);
    });
  }
  /** Resolves to `{ data, response }`: the value with its status, headers and request id. */
  withResponse() {
    const raw = this.#raw;
    if (raw === null) return Promise.reject(tooLate());
    this.#raw = null;
    const settle = this.#settle;
    // This promise follows the raw call; a rejection is reported through withResponse()'s promise.
    this.catch(toUndefined);
    return raw().then(
      (response) => {
        settle.resolve(response.data);
        return { data: response.data, response };
      },
      (e) => {
        settle.reject(e);
        throw e;
      },
    );
  }
}

/** A successful response with its metadata: what `withRawResponse` methods resolve to. */
class APIResponse {
  constructor(status, headers, requestId, data) {
    /** HTTP status. */
    this.status = status;
    /** Response headers, names lower-case (repeated headers joined with ", "). */
    this.headers = headers;
    /** The `x-request-id` header: quote it when contacting support. */
    this.requestId = requestId;
    /** The value the plain method resolves to. */
    this.data = data;
  }
}

/**
 * The base of every generated resource class. `withRawResponse` is the same resource whose
 * methods (and sub-resources') resolve to an `APIResponse` instead of the value alone.
 */
class ResourceBase {
  constructor(client) {
    Object.defineProperty(this, '_client', { value: client });
  }

  get withRawResponse() {
    const client = this._client;
    if (client[RAW_VIEW] === client) return this;
    const view = new this.constructor(rawView(client));
    Object.defineProperty(this, 'withRawResponse', { value: view });
    return view;
  }
}

const RAW_VIEW = Symbol('cadenya.rawView');

/** A stand-in client whose `_call` is the client's `_callRaw` (made once per client). */
function rawView(client) {
  if (!client[RAW_VIEW]) {
    const view = { _call: (op, positional, params, options) => client._callRaw(op, positional, params, options) };
    view[RAW_VIEW] = view;
    Object.defineProperty(client, RAW_VIEW, { value: view });
  }
  return client[RAW_VIEW];
}

function toUndefined() {
  return undefined;
}

/** One page of a list. Iterate it with `for await` to walk this page and every page after it. */
class CursorPage {
  #native;
  #signal;

  constructor(nativePage, signal) {
    this.#native = nativePage;
    this.#signal = signal;
    /** The items of this page. */
    this.items = JSON.parse(nativePage.takeItems());
    /** The cursor of the next page; null on the last page. */
    this.nextCursor = nativePage.nextCursor ?? null;
  }

  /** True when another page can be fetched. */
  hasNextPage() {
    return this.#native.hasNextPage;
  }

  /**
   * Fetches the next page (same request and options, `cursor` = `nextCursor`), or null after
   * the last one. The signal of the original call applies unless another is given.
   */
  async nextPage(options) {
    const signal = options && options.signal !== undefined ? options.signal : this.#signal;
    checkSignal(signal);
    const n = await withSignal(signal, (t) => this.#native.nextPage(t));
    return n ? new CursorPage(n, signal) : null;
  }

  /** As `nextPage`, but rejects with `CadenyaError` after the last page (as the official SDK does). */
  async getNextPage(options) {
    const n = await this.nextPage(options);
    if (!n) throw new errors.CadenyaError('No next page expected; check `hasNextPage()` first');
    return n;
  }

  /** This page and every page after it. */
  async *iterPages() {
    let page = this;
    while (page) {
      yield page;
      page = await page.nextPage();
    }
  }

  /** Every item of this page and of the pages after it, fetched lazily. */
  [Symbol.asyncIterator]() {
    return CursorPage[WALK](this);
  }

  /**
   * The items of `first` (a page, or a promise of one) and of every page after it. Later pages
   * stay native pages (no `CursorPage` each). One generator for both `for await` forms, so that
   * no item passes through two.
   */
  static async *[WALK](first) {
    const page = await first;
    for (const item of page.items) yield item;
    let at = page.#native;
    const signal = page.#signal;
    while (at.hasNextPage) {
      at = await withSignal(signal, (t) => at.nextPage(t));
      if (!at) return;
      for (const item of JSON.parse(at.takeItems())) yield item;
    }
  }
}

/**
 * What a list method returns: `await` it for the first page, or `for await` it for every item of
 * every page (later pages are fetched lazily). `.withResponse()`, called on the call itself,
 * resolves to `{ data, response }` (the first page with its status, headers and request id). The
 * request starts in a microtask, so a call nobody awaits still runs, exactly once.
 */
class PagePromise {
  #promise = null;
  #plain;
  #raw;
  constructor(plain, raw) {
    this.#plain = plain;
    this.#raw = raw;
    queueMicrotask(() => this._first());
  }
  _first() {
    if (this.#promise === null) {
      this.#raw = null;
      this.#promise = this.#plain();
    }
    return this.#promise;
  }
  /** Resolves to `{ data, response }`: the first page with its status, headers and request id. */
  withResponse() {
    const raw = this.#raw;
    if (raw == null || this.#promise !== null) return Promise.reject(tooLate());
    this.#raw = null;
    const response = raw();
    this.#promise = response.then((r) => r.data);
    this.#promise.catch(toUndefined); // reported through withResponse()'s promise
    return response.then((r) => ({ data: r.data, response: r }));
  }
  then(onFulfilled, onRejected) {
    return this._first().then(onFulfilled, onRejected);
  }
  catch(onRejected) {
    return this._first().catch(onRejected);
  }
  finally(onFinally) {
    return this._first().finally(onFinally);
  }
  [Symbol.asyncIterator]() {
    return CursorPage[WALK](this._first());
  }
  get [Symbol.toStringTag]() {
    return 'PagePromise';
  }
}

function tooLate() {
  return new errors.InvalidRequestError(
    'invalid request: call .withResponse() on the call itself, before awaiting it (client.agents.retrieve(id).withResponse())',
  );
}

// ---- Webhooks

function payloadArg(payload) {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  throw new errors.InvalidRequestError('invalid request: the webhook payload must be a string, Buffer or Uint8Array');
}

function payloadText(payload) {
  return typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

/** Headers as a flat `[name, value, …]` list; for repeated headers the first value is used. */
function flatHeaders(h) {
  const out = [];
  if (h == null) return out;
  if (typeof h.forEach === 'function' && typeof h.get === 'function') {
    h.forEach((v, k) => {
      out.push(k, v);
    });
    return out;
  }
  if (typeof h !== 'object') throw new errors.InvalidRequestError('invalid request: headers must be an object or a Headers');
  for (const k in h) {
    const v = h[k];
    if (typeof v === 'string') out.push(k, v);
    else if (Array.isArray(v) && v.length > 0) out.push(k, String(v[0]));
    else if (v != null) out.push(k, String(v));
  }
  return out;
}

function clock(options) {
  return options == null || options._now === undefined ? undefined : Number(options._now);
}

/**
 * A Standard Webhooks verifier for one secret (`whsec_…`). The secret is parsed once; each
 * delivery is one call into the core. Nothing shows the secret.
 */
class Webhook {
  constructor(secret) {
    if (typeof secret !== 'string') throw new errors.WebhookVerificationError('webhook secret must be a string', { detail: 'bad_secret' });
    let hook;
    try {
      hook = new native.NativeWebhook(secret);
    } catch (e) {
      throw errors.fromNative(e);
    }
    Object.defineProperty(this, NATIVE, { value: hook });
  }
  static _wrap(hook) {
    const w = Object.create(Webhook.prototype);
    Object.defineProperty(w, NATIVE, { value: hook });
    return w;
  }
  /** Checks the headers, timestamp and signature; throws `WebhookVerificationError`. */
  verify(payload, headers, options) {
    try {
      this[NATIVE].verify(payloadArg(payload), flatHeaders(headers), false, clock(options));
    } catch (e) {
      throw errors.fromNative(e);
    }
  }
  /** Verifies, then returns the parsed webhook event. */
  unwrap(payload, headers, options) {
    const p = payloadArg(payload);
    try {
      this[NATIVE].verify(p, flatHeaders(headers), true, clock(options));
    } catch (e) {
      throw errors.fromNative(e);
    }
    return JSON.parse(payloadText(p));
  }
  /** The `webhook-signature` value for a message (local senders and tests). */
  sign(msgId, timestamp, payload) {
    return this[NATIVE].sign(msgId, timestamp, payloadArg(payload));
  }
  [inspect.custom]() {
    return 'Webhook { secret: <redacted> }';
  }
}

const OFFICIAL_KEYS = new Set(['headers', 'key', 'secret', '_now']);

/**
 * `(body, { headers, key })` as the official SDKs take it, turned into `(headers, { secret })`.
 * Only a plain object whose keys are all option names and that has `headers` counts: a headers
 * object always has `webhook-*` names.
 */
function officialForm(headers, options) {
  if (
    options === undefined &&
    headers !== null &&
    typeof headers === 'object' &&
    Object.getPrototypeOf(headers) === Object.prototype &&
    typeof headers.headers === 'object' &&
    headers.headers !== null &&
    Object.keys(headers).every((k) => OFFICIAL_KEYS.has(k))
  ) {
    const { headers: h, key, secret, _now } = headers;
    if (key !== undefined && secret !== undefined && key !== secret) {
      throw new errors.InvalidRequestError('invalid request: `key` and `secret` (its alias) were both given, with different values');
    }
    const opts = { secret: secret ?? key };
    if (_now !== undefined) opts._now = _now;
    return [h, opts];
  }
  return [headers, options];
}

/** `client.webhooks`: verification with the client's secret unless `{ secret }` is passed. */
class Webhooks {
  constructor(client) {
    Object.defineProperty(this, NATIVE, { value: client });
    Object.defineProperty(this, '_default', { value: null, writable: true });
    Object.defineProperty(this, '_bySecret', { value: new Map() });
  }
  _verifier(options) {
    const secret = options == null ? undefined : options.secret;
    try {
      if (secret === undefined || secret === null) {
        if (this._default === null) this._default = Webhook._wrap(this[NATIVE].webhook());
        return this._default;
      }
      let w = this._bySecret.get(secret);
      if (w === undefined) {
        w = new Webhook(secret);
        if (this._bySecret.size >= 16) this._bySecret.clear();
        this._bySecret.set(secret, w);
      }
      return w;
    } catch (e) {
      throw errors.fromNative(e);
    }
  }
  /** Checks the signature and timestamp of a delivery; throws `WebhookVerificationError`. */
  verify(payload, headers, options) {
    [headers, options] = officialForm(headers, options);
    this._verifier(options).verify(payload, headers, options);
  }
  /**
   * Verifies a delivery, then returns the parsed event. Also accepts the official SDKs' form
   * `unwrap(body, { headers, key })` (`key` is the secret).
   */
  unwrap(payload, headers, options) {
    [headers, options] = officialForm(headers, options);
    return this._verifier(options).unwrap(payload, headers, options);
  }
  /** Parses a delivery WITHOUT verifying it: only for bodies whose origin is already trusted. */
  unsafeUnwrap(payload) {
    const p = payloadArg(payload);
    try {
      native.unsafeUnwrapCheck(p);
    } catch (e) {
      throw errors.fromNative(e);
    }
    return JSON.parse(payloadText(p));
  }
  [inspect.custom]() {
    return 'Webhooks { secret: <redacted> }';
  }
}

module.exports = { ClientBase, ResourceBase, APIPromise, APIResponse, CursorPage, PagePromise, Webhook, Webhooks, ...errors };
delete module.exports.fromNative;
