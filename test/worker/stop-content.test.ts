import { describe, expect, it } from 'vitest';
import { acceptedStopContent, acceptedStopContentAfterCheckpoint } from '../../worker/conversation/stop-content';

describe('the text a stop may keep', () => {
  it.each([
    ['the prefix the client saw', 'Hello wor', 'Hello world', 'Hello wor'],
    ['everything, when the client saw it all', 'Hello world', 'Hello world', 'Hello world'],
    ['nothing, when the client saw nothing', '', 'Hello world', ''],
    ['only what the model produced, of a claim that runs past it', 'Hello world, and more', 'Hello world', 'Hello world'],
    ['the agreeing part of a claim that differs', 'Hello there', 'Hello world', 'Hello '],
    ['no half of a surrogate pair', 'Hi \u{1F600}'.slice(0, 4) + 'x', 'Hi \u{1F600}', 'Hi '],
  ])('keeps %s', (_case, claimed, produced, kept) => {
    expect(acceptedStopContent(claimed, produced)).toBe(kept);
  });

  it('without the live text, extends the last checkpoint by at most the content limit', () => {
    expect(acceptedStopContentAfterCheckpoint('Hello world', 'Hello', 100)).toBe('Hello world');
    expect(acceptedStopContentAfterCheckpoint(`Hello${'x'.repeat(500)}`, 'Hello', 100)).toBe(`Hello${'x'.repeat(100)}`);
    expect(acceptedStopContentAfterCheckpoint('Goodbye', 'Hello', 100)).toBe('');
    expect(acceptedStopContentAfterCheckpoint('Help', 'Hello', 100)).toBe('Hel');
  });
});
