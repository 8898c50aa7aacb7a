/** The events of a whole SSE body, in order (comments and `id:` lines dropped); enough to read a finished reply. */
export interface SseFrame {
  event: string;
  data: string;
}

export function sseFrames(body: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of body.split(/\r\n\r\n|\n\n|\r\r/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      const colon = line.indexOf(':');
      if (colon === 0 || line === '') continue;
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) frames.push({ event, data: data.join('\n') });
  }
  return frames;
}
