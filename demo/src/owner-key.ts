import type { Fetch } from 'chatkeep';

/**
 * Who this browser is to the Worker: an owner key, the bearer capability that names the person's list of
 * conversations. The demo has no sign-in, so a second device signs in by opening a link that carries the key.
 */

/** The query parameter of the "use on another device" link. */
export const OWNER_PARAM = 'owner';

/** As the Worker checks the `X-Chatkeep-Owner` header: 22 to 128 characters of the id alphabet. */
const OWNER_KEY_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

export interface OwnerKeyChoice {
  ownerKey: string;
  /** The key came from the URL (a link from another device), so the address bar should drop it. */
  fromLink: boolean;
}

export interface ChooseOwnerKeyOptions {
  /** The page's query string, e.g. `location.search`. */
  search: string;
  /** Where the key is remembered; `localStorage` in the page. */
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  /** Makes a new key (128 random bits). */
  makeKey: () => string;
  /** @defaultValue 'chatkeep-demo:owner' */
  storageKey?: string;
}

/**
 * The link's key, else the one remembered here, else a new one; remembered either way, so this browser stays the
 * same owner after the link is gone from the address bar. Storage that throws (private mode) costs the memory only.
 *
 * @example
 * const { ownerKey } = chooseOwnerKey({ search: location.search, storage: localStorage, makeKey: makeSessionId });
 */
export function chooseOwnerKey({ search, storage, makeKey, storageKey = 'chatkeep-demo:owner' }: ChooseOwnerKeyOptions): OwnerKeyChoice {
  const linked = new URLSearchParams(search).get(OWNER_PARAM);
  let remembered: string | null = null;
  try {
    remembered = storage.getItem(storageKey);
  } catch {
    // Unreadable storage: a key of this page's own.
  }
  const fromLink = linked !== null && OWNER_KEY_PATTERN.test(linked);
  const ownerKey = fromLink ? linked : remembered !== null && OWNER_KEY_PATTERN.test(remembered) ? remembered : makeKey();
  if (ownerKey !== remembered) {
    try {
      storage.setItem(storageKey, ownerKey);
    } catch {
      // As above: the key lasts while the page is open.
    }
  }
  return { ownerKey, fromLink };
}

/** The link that opens the demo as the same owner on another device: anyone who has it sees the same list. */
export function otherDeviceLink(pageUrl: string, ownerKey: string): string {
  const url = new URL('/', pageUrl);
  url.searchParams.set(OWNER_PARAM, ownerKey);
  return url.href;
}

/** A `fetch` whose every request names the owner: its conversations join the owner's list, and only it may read them. */
export function fetchAsOwner(ownerKey: string): Fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('x-chatkeep-owner', ownerKey);
    return fetch(input, { ...init, headers });
  };
}
