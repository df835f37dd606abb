import { describe, expect, it } from 'vitest';
import { formList, formText, MAX_BODY_BYTES, readForm, readJson } from './forms';

const post = (body: BodyInit, type?: string) => new Request('https://blog.example/x', { method: 'POST', headers: type ? { 'content-type': type } : {}, body });

describe('reading bodies', () => {
  it('reads urlencoded and multipart forms, repeated fields included', async () => {
    const url = await readForm(post('email=a%40b.example&contentTypes=blog&contentTypes=thought', 'application/x-www-form-urlencoded'));
    expect(url.ok && formText(url.form, 'email')).toBe('a@b.example');
    expect(url.ok && formList(url.form, 'contentTypes')).toEqual(['blog', 'thought']);
    const fd = new FormData();
    fd.set('email', 'c@d.example');
    const multi = await readForm(new Request('https://blog.example/x', { method: 'POST', body: fd }));
    expect(multi.ok && formText(multi.form, 'email')).toBe('c@d.example');
  });

  it('refuses other content types with 415 and oversized bodies with 413, even without Content-Length', async () => {
    expect(await readForm(post('{}', 'application/json'))).toMatchObject({ ok: false, status: 415 });
    expect(await readForm(post('a=1', 'text/plain'))).toMatchObject({ ok: false, status: 415 });
    const big = 'a='.concat('x'.repeat(MAX_BODY_BYTES + 1));
    expect(await readForm(post(big, 'application/x-www-form-urlencoded'))).toMatchObject({ ok: false, status: 413 });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = new Request('https://blog.example/x', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(await readForm(chunked)).toMatchObject({ ok: false, status: 413 });
  });

  it('reads JSON objects only', async () => {
    expect(await readJson(post('{"a":1}', 'application/json; charset=utf-8'))).toMatchObject({ ok: true, body: { a: 1 } });
    expect(await readJson(post('[1]', 'application/json'))).toMatchObject({ ok: false, status: 400 });
    expect(await readJson(post('nope', 'application/json'))).toMatchObject({ ok: false, status: 400 });
    expect(await readJson(post('{"a":1}', 'text/plain'))).toMatchObject({ ok: false, status: 415, field: 'content-type' });
  });
});
