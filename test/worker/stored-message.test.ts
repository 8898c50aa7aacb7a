import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { decodePageToken, encodePageToken, parseSince } from '../../worker/routes/page-token';
import { replyIdFor } from '../../worker/conversation/reply-id';
import { presentMessage } from '../../worker/store/stale-streaming';
import { JsonText } from '../../worker/store/json-text';
import { canonical, MAX_METADATA_BYTES, messageFromMetadata, messageFromValue, messageJson, metadataFor } from '../../worker/store/stored-message';
import { isoAfter } from '../../worker/store/timestamps';
import { isValidId } from '../../sdk/protocol';

const base: ChatMessage = {
  id: 'message-0001',
  sessionId: 'session-0001',
  role: 'assistant',
  content: 'short',
  timestamp: '2026-01-01T00:00:00.000Z',
  status: 'complete',
  replyTo: 'message-0000',
  updatedAt: '2026-01-01T00:00:01.000Z',
};

describe('list metadata', () => {
  it('carries the content of a small record, so no read is needed', () => {
    const meta = metadataFor(base);
    expect(meta.content).toBe('short');
    expect(messageFromMetadata(base.sessionId, base.id, meta)).toEqual(base);
  });

  it('leaves out content that would pass the 1024-byte limit (counted in UTF-8 bytes)', () => {
    for (const content of ['x'.repeat(1000), 'é'.repeat(480), '👋'.repeat(240)]) {
      const meta = metadataFor({ ...base, content });
      expect(new TextEncoder().encode(JSON.stringify(meta)).byteLength).toBeLessThanOrEqual(MAX_METADATA_BYTES);
      expect(meta.content).toBeUndefined();
      expect(messageFromMetadata(base.sessionId, base.id, meta)).toBeUndefined();
    }
  });
});

describe('stored values', () => {
  it('reads the older pattern as complete, whatever it lacks', () => {
    expect(messageFromValue('session-0001', 'a-random-uuid', JSON.stringify({ role: 'user', content: 'hi', timestamp: 0 }))).toEqual({
      id: 'a-random-uuid',
      sessionId: 'session-0001',
      role: 'user',
      content: 'hi',
      timestamp: '1970-01-01T00:00:00.000Z',
      status: 'complete',
    });
    expect(messageFromValue('session-0001', 'id-000001', 'not json').content).toBe('not json');
  });

  it('takes id and session from the key, never from the value', () => {
    const message = messageFromValue('session-0001', 'id-000001', JSON.stringify({ ...base, id: 'other', sessionId: 'other-session' }));
    expect(message.id).toBe('id-000001');
    expect(message.sessionId).toBe('session-0001');
  });
});

describe('staleness', () => {
  const streaming: ChatMessage = { ...base, status: 'streaming' };
  const last = Date.parse(streaming.updatedAt!);
  it('reports a streaming record as interrupted only after the stale limit', () => {
    expect(presentMessage(streaming, last + 60_000, 60_000)).toBe(streaming);
    expect(presentMessage(streaming, last + 60_001, 60_000)).toMatchObject({ status: 'error', content: 'short', error: { code: 'interrupted' } });
    expect(presentMessage(base, last + 1e9, 60_000)).toBe(base);
  });
});

describe('small rules', () => {
  it('page tokens round-trip and foreign ones are refused', () => {
    const token = { kvCursor: 'abc==', after: 'msg-000042' };
    expect(decodePageToken(encodePageToken(token))).toEqual(token);
    expect(decodePageToken(encodePageToken({ kvCursor: undefined, after: 'msg-000007' }))).toEqual({ kvCursor: undefined, after: 'msg-000007' });
    expect(decodePageToken(encodePageToken({ kvCursor: 'abc==', after: undefined }))).toEqual({ kvCursor: 'abc==', after: undefined });
    expect(() => decodePageToken('eyJ4IjoxfQ')).toThrow();
    expect(() => decodePageToken(btoa(JSON.stringify({ c: null, a: 'a:b' })))).toThrow();
    expect(() => decodePageToken(btoa(JSON.stringify({ c: null, s: 42 })))).toThrow();
    expect(() => parseSince('-5')).toThrow();
    expect(parseSince('1767323045600')).toBe(1767323045600);
  });

  it('reply ids are valid ids, distinct for distinct long user ids', async () => {
    expect(await replyIdFor('user-0001')).toBe('user-0001_r');
    const a = await replyIdFor('a'.repeat(128));
    const b = await replyIdFor(`${'a'.repeat(127)}b`);
    expect(isValidId(a) && isValidId(b)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('a later timestamp is strictly later even when the clock has not moved', () => {
    expect(isoAfter(1000, new Date(1000).toISOString())).toBe(new Date(1001).toISOString());
    expect(isoAfter(5000, new Date(1000).toISOString())).toBe(new Date(5000).toISOString());
  });
});

describe('messageJson', () => {
  it('is the canonical record as JSON, with or without optional fields, and with content given as JSON', () => {
    const { replyTo: _r, updatedAt: _u, ...bare } = base;
    const failed: ChatMessage = { ...base, status: 'error', content: 'say "hi"\n', error: { code: 'model_error', message: 'The model failed' } };
    for (const message of [base, bare, failed]) {
      expect(messageJson(message)).toBe(JSON.stringify(canonical(message)));
      const content = new JsonText();
      content.append(JSON.stringify(message.content.slice(0, 3)));
      content.append(JSON.stringify(message.content.slice(3)));
      expect(messageJson(message, content.json())).toBe(JSON.stringify(canonical(message)));
      expect(messageFromValue(message.sessionId, message.id, messageJson(message))).toEqual(message);
    }
  });
});
