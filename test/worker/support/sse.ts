/** One parsed server-sent event, as a client would see it. */
export interface ParsedEvent {
  id: string | undefined;
  event: string;
  data: unknown;
}

/** Splits a complete SSE body into events and comment lines (kept so tests can count pings). */
export function parseSse(text: string): { events: ParsedEvent[]; comments: string[] } {
  const events: ParsedEvent[] = [];
  const comments: string[] = [];
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join('\n')) });
  }
  return { events, comments };
}

/** Reads a response body up to the end, as text. */
export async function readAll(response: Response): Promise<string> {
  return response.text();
}
