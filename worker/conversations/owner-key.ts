import { ID_PATTERN, isValidId } from '../../sdk/protocol';
import { OWNER_HEADER, OWNER_KEY_MIN_LENGTH } from '../../sdk/protocol-conversations';
import { HttpError } from '../http-error';

function invalidOwner(message: string): HttpError {
  return new HttpError(400, 'invalid_owner', message);
}

/**
 * An owner named by the app (its `owner` option, a session token's `sub`): an id, because it becomes part of a KV
 * key (`conversation:${owner}:…`) and a `:` or `/` could reach another owner's entries. `null` means no owner.
 */
export function requireOwnerId(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isValidId(value)) throw invalidOwner('The owner must match [A-Za-z0-9_-]{8,128}');
  return value;
}

/**
 * The owner key a request carries in {@link OWNER_HEADER}: `undefined` when the header is absent, a 400 when it is
 * present but malformed (shorter than {@link OWNER_KEY_MIN_LENGTH}, or outside the id alphabet) — refused before
 * anything is read or written, never taken as "no owner", which would reach the unowned conversations.
 */
export function ownerKeyFromRequest(request: Request): string | undefined {
  const value = request.headers.get(OWNER_HEADER);
  if (value === null) return undefined;
  if (value.length < OWNER_KEY_MIN_LENGTH || !ID_PATTERN.test(value)) {
    throw invalidOwner(`${OWNER_HEADER} must be ${OWNER_KEY_MIN_LENGTH} to 128 characters of [A-Za-z0-9_-]`);
  }
  return value;
}

/** How the app names a request's owner (the Worker option `owner`). */
export type OwnerOf<E> = (request: Request, env: E) => string | null | Promise<string | null>;

/**
 * Who a request acts for: the app's `owner(request, env)` when it has one (validated like an id), else the owner
 * key header. `undefined`: no owner.
 */
export async function resolveOwner<E>(request: Request, env: E, ownerOf?: OwnerOf<E>): Promise<string | undefined> {
  if (ownerOf !== undefined) return requireOwnerId(await ownerOf(request, env));
  return ownerKeyFromRequest(request);
}
