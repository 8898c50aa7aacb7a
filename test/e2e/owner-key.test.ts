// The demo's owner key: taken from a "use on another device" link, else remembered, else made; and the link itself.
import { describe, expect, it } from 'vitest';
import { chooseOwnerKey, otherDeviceLink } from '../../demo/src/owner-key';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const never = () => {
  throw new Error('no key should be made');
};

describe('chooseOwnerKey', () => {
  it('makes a key on the first visit and remembers it', () => {
    const storage = memoryStorage();
    expect(chooseOwnerKey({ search: '', storage, makeKey: () => KEY_A })).toEqual({ ownerKey: KEY_A, fromLink: false });
    expect(chooseOwnerKey({ search: '', storage, makeKey: never })).toEqual({ ownerKey: KEY_A, fromLink: false });
  });

  it('takes the key a link carries over the one remembered, and remembers it from then on', () => {
    const storage = memoryStorage();
    chooseOwnerKey({ search: '', storage, makeKey: () => KEY_A });
    expect(chooseOwnerKey({ search: `?owner=${KEY_B}&session=abc12345`, storage, makeKey: never })).toEqual({ ownerKey: KEY_B, fromLink: true });
    expect(chooseOwnerKey({ search: '', storage, makeKey: never }).ownerKey).toBe(KEY_B);
  });

  it('ignores a link key the Worker would refuse (short, or outside the id alphabet), and a broken storage', () => {
    const storage = memoryStorage();
    storage.data.set('chatkeep-demo:owner', KEY_A);
    for (const bad of ['short', `${'x'.repeat(30)}:y`, `${'x'.repeat(30)}/y`, 'x'.repeat(129)]) {
      expect(chooseOwnerKey({ search: `?owner=${encodeURIComponent(bad)}`, storage, makeKey: never })).toEqual({ ownerKey: KEY_A, fromLink: false });
    }
    const broken = {
      getItem: (): string | null => {
        throw new Error('SecurityError');
      },
      setItem: (): void => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(chooseOwnerKey({ search: '', storage: broken, makeKey: () => KEY_B }).ownerKey).toBe(KEY_B);
  });
});

describe('otherDeviceLink', () => {
  it('is the demo’s root carrying the owner key, whatever page it is made on', () => {
    const link = new URL(otherDeviceLink('http://127.0.0.1:8787/?session=abc12345#x', KEY_A));
    expect(link.origin + link.pathname).toBe('http://127.0.0.1:8787/');
    expect([...link.searchParams]).toEqual([['owner', KEY_A]]);
  });
});
