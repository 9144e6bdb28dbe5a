import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { queueEmail } from './delivery.js';

const received: { from: string; to: string[]; raw: string }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, session, callback) {
    let raw = '';
    stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    stream.on('end', () => {
      received.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        raw,
      });
      callback();
    });
  },
});

let ctx: TestContext;
before(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  ctx = await createTestContext({
    work: true,
    noApp: true,
    env: {
      EMAIL_BACKEND: 'smtp',
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(port),
      EMAIL_USE_TLS: 'False',
      DEFAULT_FROM_EMAIL: 'SpotVibe <no-reply@spotvibe.ci>',
    },
  });
});
after(async () => {
  await ctx.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

test('an email queued in a committed transaction reaches a real SMTP server', async () => {
  await ctx.database.db.transaction(async (tx) => {
    await queueEmail(
      ctx.jobs,
      { to: 'awa@example.com', subject: 'Bienvenue sur SpotVibe', text: 'Bonjour Awa, votre compte est prêt.' },
      tx,
    );
  });
  const mail = await eventually(async () => received.find((m) => m.to.includes('awa@example.com')));
  assert.equal(mail.from, 'no-reply@spotvibe.ci');
  assert.match(mail.raw, /Subject: Bienvenue sur SpotVibe/);
  assert.match(mail.raw, /Bonjour Awa/);
});

test('an email queued in a rolled-back transaction is never sent', async () => {
  await assert.rejects(
    ctx.database.db.transaction(async (tx) => {
      await queueEmail(ctx.jobs, { to: 'fantome@example.com', subject: 'Jamais', text: 'x' }, tx);
      throw new Error('annulé');
    }),
  );
  await queueEmail(ctx.jobs, { to: 'temoin@example.com', subject: 'Témoin', text: 'x' });
  await eventually(async () => received.find((m) => m.to.includes('temoin@example.com')));
  assert.equal(received.filter((m) => m.to.includes('fantome@example.com')).length, 0);
});
