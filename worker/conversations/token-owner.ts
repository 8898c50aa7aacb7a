import { isValidId } from '../../sdk/protocol';
import { base64url } from '../base64url';
import type { OwnerOf } from './owner-key';

/**
 * Authorizers that also know who a request is for (`hmacSessionAuthorizer`: the token's `sub`). Kept beside the
 * function rather than on it, so the `authorize` option's type stays a plain function.
 */
const owners = new WeakMap<object, OwnerOf<never>>();

/** Marks `authorize` as naming its requests' owner with `owner`; returns `authorize` itself. */
export function withOwner<F extends object, E>(authorize: F, owner: OwnerOf<E>): F {
  owners.set(authorize, owner as OwnerOf<never>);
  return authorize;
}

/** The owner function an authorizer was marked with, if any. */
export function ownerOfAuthorizer<E>(authorize: object | undefined): OwnerOf<E> | undefined {
  return authorize === undefined ? undefined : (owners.get(authorize) as OwnerOf<E> | undefined);
}

/**
 * A token's `sub` as an owner id: itself when it is one; else (an e-mail address, a short number) its SHA-256 in
 * base64url, so any user of a sign-in system has an index, and no `sub` can put a `:` into a KV key.
 */
export async function ownerIdOfSub(sub: string): Promise<string> {
  if (isValidId(sub)) return sub;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(sub));
  return `sub_${base64url(new Uint8Array(digest))}`;
}
