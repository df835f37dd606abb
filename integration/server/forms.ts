/**
 * Reading request bodies defensively: the content type must be what the route expects and
 * the body must be small. Every failure is a value with a status, never a thrown error.
 */

export const MAX_BODY_BYTES = 16 * 1024; // 16 KiB: far above any of our forms

type BodyError = { ok: false; status: 400 | 413 | 415; field: string; reason: string };
type FormResult = { ok: true; form: FormData } | BodyError;
type JsonResult = { ok: true; body: Record<string, unknown> } | BodyError;

const mediaType = (request: Request): string => (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

function tooLarge(request: Request): boolean {
  const length = Number(request.headers.get('content-length') ?? '0');
  return Number.isFinite(length) && length > MAX_BODY_BYTES;
}

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);
const NOT_UTF8 = 'The body is not valid UTF-8.';

/**
 * Decoders replace invalid UTF-8 with U+FFFD, which would then be stored and mailed: decide
 * here, once, and refuse it. A fatal decoder checks the raw bytes; in a urlencoded body the
 * percent-escapes are bytes too, and decodeURIComponent throws on any that are not UTF-8.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function utf8Text(bytes: ArrayBuffer): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}
function urlencodedIsUtf8(text: string): boolean {
  try {
    for (const part of text.split(/[&=]/)) decodeURIComponent(part.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

export async function readForm(request: Request): Promise<FormResult> {
  if (!FORM_TYPES.has(mediaType(request))) {
    return { ok: false, status: 415, field: 'content-type', reason: 'Send the form as application/x-www-form-urlencoded or multipart/form-data.' };
  }
  if (tooLarge(request)) return { ok: false, status: 413, field: 'body', reason: 'The form is too large.' };
  try {
    // Read the bytes first so a body without Content-Length is bounded too.
    const bytes = await request.arrayBuffer();
    if (bytes.byteLength > MAX_BODY_BYTES) return { ok: false, status: 413, field: 'body', reason: 'The form is too large.' };
    // Our forms have no file fields, so a multipart body is text too.
    const text = utf8Text(bytes);
    const urlencoded = mediaType(request) === 'application/x-www-form-urlencoded';
    if (text === null || (urlencoded && !urlencodedIsUtf8(text))) return { ok: false, status: 400, field: 'body', reason: NOT_UTF8 };
    const form = await new Response(bytes, { headers: { 'content-type': request.headers.get('content-type')! } }).formData();
    return { ok: true, form };
  } catch {
    return { ok: false, status: 400, field: 'body', reason: 'The form data could not be read.' };
  }
}

export async function readJson(request: Request): Promise<JsonResult> {
  if (mediaType(request) !== 'application/json') {
    return { ok: false, status: 415, field: 'content-type', reason: 'Send a JSON body with Content-Type: application/json.' };
  }
  if (tooLarge(request)) return { ok: false, status: 413, field: 'body', reason: 'The body is too large.' };
  let bytes: ArrayBuffer;
  try {
    bytes = await request.arrayBuffer();
  } catch {
    return { ok: false, status: 400, field: 'body', reason: 'The body could not be read.' };
  }
  if (bytes.byteLength > MAX_BODY_BYTES) return { ok: false, status: 413, field: 'body', reason: 'The body is too large.' };
  const text = utf8Text(bytes);
  if (text === null) return { ok: false, status: 400, field: 'body', reason: NOT_UTF8 };
  try {
    const body: unknown = JSON.parse(text);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return { ok: false, status: 400, field: 'body', reason: 'The body must be a JSON object.' };
    }
    return { ok: true, body: body as Record<string, unknown> };
  } catch {
    return { ok: false, status: 400, field: 'body', reason: 'The body is not valid JSON.' };
  }
}

/** A single text field (the first if repeated); files and absent fields give undefined. */
export function formText(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Every text value of a repeated field (checkbox groups). */
export const formList = (form: FormData, name: string): string[] => form.getAll(name).filter((v): v is string => typeof v === 'string');
