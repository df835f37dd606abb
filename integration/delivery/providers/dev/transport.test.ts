import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDevMail, getDevMail, listDevMail } from '../../../../db/delivery/dev-mail';
import { createTestD1, type TestD1 } from '../../../../test/helpers/d1';
import { buildMessage, makeMessageId } from '../../mime';
import { createDevCaptureTransport } from './transport';

let t: TestD1;
beforeAll(async () => {
  t = await createTestD1();
});
afterAll(async () => {
  await t?.dispose();
});

const message = (subject: string, to = 'reader@example.org') => {
  const messageId = makeMessageId('blog.example.com');
  return {
    to,
    messageIdHeader: messageId,
    raw: buildMessage({
      from: { email: 'author@blog.example.com', name: 'Blog' },
      to: { email: to },
      subject,
      text: 'hello',
      html: '<p>hello</p>',
      messageId,
      date: new Date(),
      listUnsubscribeUrl: 'http://localhost:4321/unsubscribe?token=x',
      listId: 'blog.localhost',
    }),
  };
};

describe('dev capture transport', () => {
  it('stores every message in dev_mail_outbox, newest first, and never fails silently', async () => {
    const dev = createDevCaptureTransport(t.db);
    const first = message('Première lettre ✉️');
    const second = message('Second', 'other@example.org');
    const r1 = await dev.send(first);
    const r2 = await dev.send(second);
    expect(r1.ok && r2.ok).toBe(true);

    const list = await listDevMail(t.db);
    expect(list.map((m) => [m.toAddress, m.subject])).toEqual([
      ['other@example.org', 'Second'],
      ['reader@example.org', 'Première lettre ✉️'],
    ]);
    const stored = await getDevMail(t.db, list[1]!.id);
    expect(stored?.raw).toBe(first.raw);
    expect(stored?.messageIdHeader).toBe(first.messageIdHeader);
    expect(r1.ok && r1.providerMessageId).toBe(`dev-${list[1]!.id}`);

    await clearDevMail(t.db);
    expect(await listDevMail(t.db)).toEqual([]);
    expect(await getDevMail(t.db, list[0]!.id)).toBeUndefined();
  });

  it('reports a failed write as a retryable failure', async () => {
    const broken = await createTestD1({ migrate: false }); // no table
    try {
      const result = await createDevCaptureTransport(broken.db).send(message('x'));
      expect(result).toMatchObject({ ok: false, retryable: true, code: 'dev_capture' });
    } finally {
      await broken.dispose();
    }
  });
});
