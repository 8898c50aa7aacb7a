// Which conversation the page opens: ?session=, else the last one used, else a new one.
import { describe, expect, it } from 'vitest';
import { chooseSession } from '../../demo/src/choose-session';

const makeId = () => 'made-new-session-id';

describe('chooseSession', () => {
  it.each([
    { search: '?session=from-the-url-01', last: 'the-last-one-01', sessionId: 'from-the-url-01', source: 'url' },
    { search: '', last: 'the-last-one-01', sessionId: 'the-last-one-01', source: 'last' },
    { search: '', last: null, sessionId: 'made-new-session-id', source: 'new' },
    { search: '?other=1', last: null, sessionId: 'made-new-session-id', source: 'new' },
    { search: '?session=', last: 'the-last-one-01', sessionId: 'the-last-one-01', source: 'last' },
  ] as const)('$search with last=$last opens $source', ({ search, last, sessionId, source }) => {
    expect(chooseSession({ search, last, makeId })).toEqual({ sessionId, source });
  });

  it('refuses an id that could reach another key (and says which), falling back to the last one', () => {
    expect(chooseSession({ search: '?session=abc%3Adef%2Fghi', last: 'the-last-one-01', makeId })).toEqual({
      sessionId: 'the-last-one-01',
      source: 'last',
      rejected: 'abc:def/ghi',
    });
  });

  it('ignores a remembered id that is no longer valid', () => {
    expect(chooseSession({ search: '', last: 'short', makeId })).toEqual({ sessionId: makeId(), source: 'new' });
  });
});
