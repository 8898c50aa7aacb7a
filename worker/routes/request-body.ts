import { HttpError } from '../http-error';

/**
 * The client went away while its body was being read: its own doing, not a fault of the Worker. Reported to `log`
 * as this (never as a 500), and answered 400 to nobody.
 */
export class ClientAbortError extends Error {
  override readonly name = 'ClientAbortError';
}

/** Labels of UTF-8 that a client may put in `charset` (the WHATWG Encoding Standard's, as browsers send them). */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/**
 * The request's JSON body, refused before anything is written if it is not JSON in UTF-8 (415: another type, or a
 * `charset` other than UTF-8, which would otherwise be misread), too big (413: by its `Content-Length` and by the
 * bytes actually read, since a chunked body has no length), or malformed (400).
 */
export async function readJsonBody(request: Request, maxBodyBytes: number): Promise<unknown> {
  const [type, ...parameters] = (request.headers.get('content-type') ?? '').split(';');
  if (type?.trim().toLowerCase() !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as Content-Type: application/json');
  }
  const charset = declaredCharset(parameters);
  if (charset !== undefined && !UTF8_LABELS.has(charset)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body in UTF-8: charset=utf-8, or no charset');
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

/** The `charset` parameter, lower-cased and unquoted; `undefined` when none is given (JSON is UTF-8 then). */
function declaredCharset(parameters: string[]): string | undefined {
  for (const parameter of parameters) {
    const separator = parameter.indexOf('=');
    if (separator === -1 || parameter.slice(0, separator).trim().toLowerCase() !== 'charset') continue;
    return parameter
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
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
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (cause) {
      // Only the client feeds this stream: it failing means the client hung up (or its connection broke) mid-upload.
      throw new HttpError(400, 'invalid_request', 'The request body was cut off', {
        cause: new ClientAbortError('The client closed the connection during its upload', { cause }),
      });
    }
    const { done, value } = chunk;
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
