import { describe, expect, it } from 'vitest';
import {
  hmacSessionAuthorizer,
  signSessionToken,
  verifySessionToken,
  type SessionTokenClaims,
  type SessionTokenFailure,
} from '../../worker/index';
import { chatWorker } from './support/chat-worker';
import { uniqueId } from './support/ids';
import { call, historyRequest } from './support/requests';

const SECRET = 'test-secret-for-session-tokens-0123456789';
const NOW_MS = Date.UTC(2026, 5, 1);
const NOW_SECONDS = NOW_MS / 1000;
const now = () => NOW_MS;
const A_YEAR_SECONDS = 365 * 24 * 3600;

const sign = (claims: SessionTokenClaims) => signSessionToken(claims, { secret: SECRET });

function b64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A token with any payload text, correctly signed: for claims `signSessionToken` itself would refuse. */
async function signRaw(payloadJson: string): Promise<string> {
  const encoder = new TextEncoder();
  const input = `${b64url(encoder.encode('{"alg":"HS256","typ":"JWT"}'))}.${b64url(encoder.encode(payloadJson))}`;
  const key = await crypto.subtle.importKey('raw', encoder.encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(input)));
  return `${input}.${b64url(mac)}`;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('session tokens fail closed on numbers that are not finite', () => {
  it('a NaN or infinite leeway never lets a token through: the call throws, even for a token expired at exp 1', async () => {
    const expired = await sign({ sub: 'u-1', sid: 'session-0001', exp: 1 });
    for (const leewaySeconds of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1]) {
      await expect(verifySessionToken(expired, { secret: SECRET, now, leewaySeconds })).rejects.toThrow(RangeError);
    }
  });

  it('a clock that answers NaN or Infinity never lets a token through', async () => {
    const expired = await sign({ sub: 'u-1', sid: 'session-0001', exp: 1 });
    for (const clock of [Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
      await expect(verifySessionToken(expired, { secret: SECRET, now: () => clock })).rejects.toThrow(RangeError);
    }
  });

  it('the authorizer refuses a NaN leeway when it is made', () => {
    expect(() => hmacSessionAuthorizer({ secret: SECRET, leewaySeconds: Number.NaN })).toThrow(/leeway/);
  });

  it('an infinite time claim (1e999 in JSON) is invalid, whichever claim carries it', async () => {
    for (const payload of [
      `{"sub":"u-1","exp":1e999}`,
      `{"sub":"u-1","exp":${NOW_SECONDS + 60},"nbf":-1e999}`,
      `{"sub":"u-1","exp":${NOW_SECONDS + 60},"iat":-1e999}`,
      `{"sub":"u-1","exp":${NOW_SECONDS + 60},"nbf":"0"}`,
    ]) {
      expect(await verifySessionToken(await signRaw(payload), { secret: SECRET, now })).toEqual({ ok: false, reason: 'invalid_claims' });
    }
  });
});

describe('session tokens accept only the canonical encoding', () => {
  it('a signature whose last character is changed never verifies, though it decodes to the same bytes', async () => {
    const token = await sign({ sub: 'u-1', sid: 'session-0001', exp: NOW_SECONDS + 3600 });
    const head = token.slice(0, -1);
    const accepted: string[] = [];
    for (const last of BASE64URL_ALPHABET) {
      if ((await verifySessionToken(`${head}${last}`, { secret: SECRET, now })).ok) accepted.push(last);
    }
    expect(accepted).toEqual([token.slice(-1)]);
  });
});

describe('session tokens honour nbf and iat', () => {
  const verify = async (claims: SessionTokenClaims) => verifySessionToken(await sign(claims), { secret: SECRET, now, leewaySeconds: 30 });
  const refusedBecause = (reason: SessionTokenFailure) => ({ ok: false, reason });

  it('a token not valid for another year is refused; one valid within the leeway is accepted', async () => {
    const exp = NOW_SECONDS + 2 * A_YEAR_SECONDS;
    expect(await verify({ sub: 'u-1', exp, nbf: NOW_SECONDS + A_YEAR_SECONDS })).toEqual(refusedBecause('not_yet_valid'));
    expect(await verify({ sub: 'u-1', exp, nbf: NOW_SECONDS + 31 })).toEqual(refusedBecause('not_yet_valid'));
    expect((await verify({ sub: 'u-1', exp, nbf: NOW_SECONDS + 30 })).ok).toBe(true);
    expect((await verify({ sub: 'u-1', exp, nbf: NOW_SECONDS - 3600 })).ok).toBe(true);
  });

  it('a token issued in the future beyond the leeway is refused', async () => {
    const exp = NOW_SECONDS + 2 * A_YEAR_SECONDS;
    expect(await verify({ sub: 'u-1', exp, iat: NOW_SECONDS + A_YEAR_SECONDS })).toEqual(refusedBecause('not_yet_valid'));
    expect(await verify({ sub: 'u-1', exp, iat: NOW_SECONDS + 31 })).toEqual(refusedBecause('not_yet_valid'));
    expect((await verify({ sub: 'u-1', exp, iat: NOW_SECONDS + 30 })).ok).toBe(true);
    expect((await verify({ sub: 'u-1', exp, iat: NOW_SECONDS - 60 })).ok).toBe(true);
  });

  it('the Worker answers 401 to a token not yet valid, and logs why', async () => {
    const sessionId = uniqueId('nbf');
    const refusals: SessionTokenFailure[] = [];
    const worker = chatWorker({
      authorize: hmacSessionAuthorizer({ secret: SECRET, now, log: (reason) => refusals.push(reason) }),
    });
    const token = await sign({ sub: 'u-1', sid: sessionId, exp: NOW_SECONDS + 2 * A_YEAR_SECONDS, nbf: NOW_SECONDS + A_YEAR_SECONDS });
    const request = historyRequest({ sessionId });
    request.headers.set('authorization', `Bearer ${token}`);
    const { response } = await call(worker, request);
    expect(response.status).toBe(401);
    expect(refusals).toEqual(['not_yet_valid']);
  });
});
