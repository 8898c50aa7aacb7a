import { HttpError } from './http-error';
import type { AuthorizeResult, FromEnv } from './options';
import { base64url, fromBase64url } from './base64url';
import { ownerIdOfSub, withOwner } from './conversations/token-owner';

/**
 * The claims of a chatkeep session token: an HS256 JWT that your sign-in code issues and the Worker verifies.
 */
export interface SessionTokenClaims {
  /** The signed-in user. */
  sub: string;
  /** The conversation this token grants. Needed unless the authorizer is given `owns`. */
  sid?: string;
  /** Expiry, in seconds since the epoch. A token without one is refused. */
  exp: number;
  /** Not before, in seconds since the epoch: the token is refused until then (less the leeway). */
  nbf?: number;
  /** Issued at, in seconds since the epoch: a token issued later than now (plus the leeway) is refused. */
  iat?: number;
}

/**
 * Why a token was refused; each becomes a 401 `unauthorized` (the reason goes to `log`, never to the client).
 * `not_yet_valid`: its `nbf`, or its `iat`, is later than now plus the leeway.
 */
export type SessionTokenFailure =
  | 'missing'
  | 'malformed'
  | 'unsupported_algorithm'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'invalid_claims';

export type SessionTokenResult = { ok: true; claims: SessionTokenClaims } | { ok: false; reason: SessionTokenFailure };

/** Options for {@link verifySessionToken} and {@link signSessionToken}. */
export interface SessionTokenOptions {
  /** The HMAC key, at least 32 characters (e.g. `openssl rand -base64 32`, kept with `wrangler secret put`). */
  secret: string;
  /**
   * The clock, in ms since the epoch. A clock that answers anything but a finite number refuses every token (it
   * throws a `RangeError`).
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Clock difference tolerated between the issuer and the Worker when checking `exp`, `nbf` and `iat`: a finite
   * number >= 0, else a `RangeError` is thrown.
   * @defaultValue 30
   */
  leewaySeconds?: number;
}

/** Options for {@link hmacSessionAuthorizer}. */
export interface HmacSessionAuthorizerOptions<E> {
  /** The HMAC key, or a function reading it from env (a secret); at least 32 characters. */
  secret: FromEnv<string, E>;
  /**
   * Reads the token from the request.
   * @defaultValue the `Bearer` token of the `Authorization` header
   */
  token?: (request: Request) => string | null;
  /**
   * Decides whether the verified user owns `sessionId`, for apps that keep their own list of a user's conversations
   * (then `sid` may be left out of tokens).
   * @defaultValue the token's `sid` must equal `sessionId`
   */
  owns?: (claims: SessionTokenClaims, sessionId: string, env: E) => boolean | Promise<boolean>;
  /**
   * The clock, in ms since the epoch.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Clock difference tolerated when checking `exp`, `nbf` and `iat`: a finite number >= 0 (anything else is refused
   * with a `RangeError` when the authorizer is made).
   * @defaultValue 30
   */
  leewaySeconds?: number;
  /**
   * Where refused tokens are reported, with their reason.
   * @defaultValue nowhere
   */
  log?: (reason: SessionTokenFailure) => void;
}

const MIN_SECRET_LENGTH = 32;
/** Larger tokens are refused unread: nothing this Worker issues comes close. */
const MAX_TOKEN_LENGTH = 4096;
const DEFAULT_LEEWAY_SECONDS = 30;
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const encoder = new TextEncoder();

let cachedKey: { secret: string; key: Promise<CryptoKey> } | undefined;

function hmacKey(secret: string): Promise<CryptoKey> {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(`The session token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  // Importing a key costs more than verifying with it; a Worker uses one secret.
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

function parseJsonPart(part: string): unknown {
  const bytes = fromBase64url(part);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return undefined;
  }
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function isClaims(value: unknown): value is SessionTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const { sub, sid, exp, nbf, iat } = value as Record<string, unknown>;
  // JSON has no NaN, but `1e999` parses to Infinity: every time claim must be a finite number.
  return (
    typeof sub === 'string' &&
    sub.length > 0 &&
    (sid === undefined || typeof sid === 'string') &&
    isFiniteNumber(exp) &&
    (nbf === undefined || isFiniteNumber(nbf)) &&
    (iat === undefined || isFiniteNumber(iat))
  );
}

/** A leeway that is not a finite number >= 0 would turn every time comparison false, and let every token pass. */
function checkedLeeway(leewaySeconds: number | undefined): number {
  const leeway = leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  if (!isFiniteNumber(leeway) || leeway < 0) {
    throw new RangeError(`The session token leeway must be a finite number of seconds >= 0, got ${String(leewaySeconds)}`);
  }
  return leeway;
}

/** Now in seconds; a clock answering NaN or Infinity would make every comparison false, so it refuses instead. */
function checkedNowSeconds(now: () => number): number {
  const nowMs = now();
  if (!isFiniteNumber(nowMs)) throw new RangeError(`The session token clock must give a finite time, got ${String(nowMs)}`);
  return nowMs / 1000;
}

/**
 * Signs a session token (an HS256 JWT) for a signed-in user. Call it where users sign in — in your Worker or any
 * server with Web Crypto (Node 20+) — and hand the token to the browser, which sends it as `Authorization: Bearer`.
 * Any HS256 JWT library makes the same tokens.
 *
 * @example
 * ```ts
 * const token = await signSessionToken(
 *   { sub: user.id, sid: sessionId, exp: Math.floor(Date.now() / 1000) + 3600 },
 *   { secret: env.SESSION_TOKEN_SECRET },
 * );
 * ```
 */
export async function signSessionToken(claims: SessionTokenClaims, options: SessionTokenOptions): Promise<string> {
  if (!isClaims(claims)) {
    throw new TypeError('A session token needs a non-empty `sub` and a finite `exp` (and `nbf`, `iat` finite when given)');
  }
  const input = `${base64url(encoder.encode(JSON.stringify(HEADER)))}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(options.secret), encoder.encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/**
 * Verifies a session token: HS256 only (`alg: none` and every other algorithm are refused), each part in canonical
 * base64url, the signature checked in constant time by Web Crypto, then `exp`, `nbf` and `iat` against the clock
 * with the leeway. Answers a result, never throws for a bad token; a bad secret, leeway or clock throws a
 * `RangeError` (no token passes).
 *
 * @example
 * ```ts
 * const result = await verifySessionToken(token, { secret: env.SESSION_TOKEN_SECRET });
 * if (result.ok) console.log(result.claims.sub);
 * else console.log(result.reason); // 'expired', 'bad_signature', …
 * ```
 */
export async function verifySessionToken(token: string | null | undefined, options: SessionTokenOptions): Promise<SessionTokenResult> {
  const key = await hmacKey(options.secret);
  const leeway = checkedLeeway(options.leewaySeconds);
  if (token === null || token === undefined || token === '') return { ok: false, reason: 'missing' };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = parseJsonPart(headerPart);
  const signature = fromBase64url(signaturePart);
  if (typeof header !== 'object' || header === null || signature === undefined) return { ok: false, reason: 'malformed' };
  if ((header as Record<string, unknown>).alg !== HEADER.alg) return { ok: false, reason: 'unsupported_algorithm' };
  const valid = await crypto.subtle.verify('HMAC', key, signature, encoder.encode(`${headerPart}.${payloadPart}`));
  if (!valid) return { ok: false, reason: 'bad_signature' };
  const claims = parseJsonPart(payloadPart);
  if (!isClaims(claims)) return { ok: false, reason: 'invalid_claims' };
  const nowSeconds = checkedNowSeconds(options.now ?? Date.now);
  if (claims.exp + leeway < nowSeconds) return { ok: false, reason: 'expired' };
  if (claims.nbf !== undefined && claims.nbf - leeway > nowSeconds) return { ok: false, reason: 'not_yet_valid' };
  if (claims.iat !== undefined && claims.iat - leeway > nowSeconds) return { ok: false, reason: 'not_yet_valid' };
  return { ok: true, claims };
}

function bearerToken(request: Request): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get('authorization') ?? '');
  return match?.[1] ?? null;
}

/**
 * An `authorize` hook that binds conversations to signed-in users. Each request carries a session token (see
 * {@link signSessionToken}); a missing, forged, tampered or expired token is answered 401 `unauthorized`, and a valid
 * token for another user's conversation 403 `forbidden` — knowing a session id is then not enough to read, write,
 * stop or delete it.
 *
 * @example
 * ```ts
 * // Worker
 * import { createChatWorker, hmacSessionAuthorizer } from 'chatkeep/worker';
 * export default createChatWorker<Env>({
 *   authorize: hmacSessionAuthorizer({ secret: (env) => env.SESSION_TOKEN_SECRET }),
 * });
 *
 * // Browser: send the token your sign-in code issued for this conversation.
 * const chat = new ChatClient({
 *   sessionId,
 *   fetch: (input, init) => {
 *     const headers = new Headers(init?.headers);
 *     headers.set('authorization', `Bearer ${token}`);
 *     return fetch(input, { ...init, headers });
 *   },
 * });
 * ```
 */
export function hmacSessionAuthorizer<E>(
  options: HmacSessionAuthorizerOptions<E>,
): (request: Request, sessionId: string, env: E) => Promise<AuthorizeResult> {
  const secretOf = typeof options.secret === 'function' ? options.secret : () => options.secret as string;
  const tokenOf = options.token ?? bearerToken;
  const owns = options.owns ?? ((claims: SessionTokenClaims, sessionId: string) => claims.sid === sessionId);
  // Refused when the authorizer is made, so a bad leeway stops the Worker at start rather than at the first request.
  checkedLeeway(options.leewaySeconds);
  const verified = (request: Request, env: E) =>
    verifySessionToken(tokenOf(request), {
      secret: secretOf(env),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.leewaySeconds === undefined ? {} : { leewaySeconds: options.leewaySeconds }),
    });
  const authorize = async (request: Request, sessionId: string, env: E): Promise<AuthorizeResult> => {
    const result = await verified(request, env);
    if (!result.ok) {
      options.log?.(result.reason);
      throw new HttpError(401, 'unauthorized', 'Sign in again: the session token is missing, invalid or expired', {
        headers: { 'www-authenticate': `Bearer error="${result.reason === 'missing' ? 'invalid_request' : 'invalid_token'}"` },
      });
    }
    return owns(result.claims, sessionId, env);
  };
  // The owner of a request with a valid token is its `sub` (the conversation index); no valid token, no owner.
  return withOwner(authorize, async (request: Request, env: E) => {
    const result = await verified(request, env);
    return result.ok ? ownerIdOfSub(result.claims.sub) : null;
  });
}
