import { HttpError } from '../http-error';

/**
 * The request's JSON body, refused before anything is written if it is not JSON (415), too big (413: by its
 * `Content-Length` and by the bytes actually read, since a chunked body has no length), or malformed (400).
 */
export async function readJsonBody(request: Request, maxBodyBytes: number): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as Content-Type: application/json');
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBodyBytes) throw tooLarge(maxBodyBytes);
  const text = await readLimited(request, maxBodyBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
}

function tooLarge(maxBodyBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The body is larger than ${maxBodyBytes} bytes`);
}

async function readLimited(request: Request, maxBodyBytes: number): Promise<string> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBodyBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBodyBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid UTF-8');
  }
}
