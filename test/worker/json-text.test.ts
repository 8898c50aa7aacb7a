import { describe, expect, it } from 'vitest';
import { JsonText } from '../../worker/store/json-text';

describe('JsonText', () => {
  it('is the JSON literal of the joined pieces, read as often as wanted while it grows', () => {
    const pieces = ['Hello', ', "world"', '\\ back\nslash\t', '', 'é 👋 \u2028', '</script>', '\u0000'];
    const text = new JsonText();
    expect(text.json()).toBe('""');
    let joined = '';
    for (const piece of pieces) {
      text.append(JSON.stringify(piece));
      joined += piece;
      expect(text.json()).toBe(JSON.stringify(joined));
      expect(text.json()).toBe(JSON.stringify(joined));
    }
  });

  it('parses back to the same text when a surrogate pair is split across two pieces', () => {
    const wave = '👋';
    const text = new JsonText();
    text.append(JSON.stringify(`a${wave[0]}`));
    text.append(JSON.stringify(`${wave[1]}b`));
    expect(JSON.parse(text.json())).toBe(`a${wave}b`);
  });
});
