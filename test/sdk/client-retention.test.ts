/**
 * A long-lived page: what the client is done with can be collected while the client lives on (`--expose-gc`, set
 * for this project in vitest.config.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { closedAfterEach, client } from './support';

const track = closedAfterEach();

/** Collects garbage until `ref` is cleared, or gives up after a few rounds. */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let round = 0; round < 10 && ref.deref() !== undefined; round++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    globalThis.gc!();
  }
  return ref.deref() === undefined;
}

describe('ChatClient retention', () => {
  it('keeps nothing of a settled send: a reply cleared from the conversation can be collected while the client lives', async () => {
    const chat = track(client());
    await chat.ready;
    let reply: ChatMessage | undefined = await chat.send('Forget me once cleared');
    const ref = new WeakRef(reply);
    reply = undefined;
    await chat.clear();
    expect(chat.messages).toEqual([]);
    expect(await collected(ref), 'the reply is still reachable from the open client').toBe(true);
  });
});
