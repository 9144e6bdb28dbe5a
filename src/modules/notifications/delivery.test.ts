import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, eventually, type TestContext } from '../../test/context.js';
import { startSmtpSink, type SmtpSink } from '../../test/smtp.js';
import { queueEmail } from './delivery.js';

let smtp: SmtpSink;

let ctx: TestContext;
before(async () => {
  smtp = await startSmtpSink();
  ctx = await createTestContext({
    work: true,
    noApp: true,
    env: {
      ...smtp.env,
      DEFAULT_FROM_EMAIL: 'SpotVibe <no-reply@spotvibe.ci>',
    },
  });
});
after(async () => {
  await ctx.close();
  await smtp.close();
});

test('an email queued in a committed transaction reaches a real SMTP server', async () => {
  await ctx.database.db.transaction(async (tx) => {
    await queueEmail(
      ctx.jobs,
      { to: 'awa@example.com', subject: 'Bienvenue sur SpotVibe', text: 'Bonjour Awa, votre compte est prêt.' },
      tx,
    );
  });
  const mail = await eventually(async () => smtp.received.find((m) => m.to.includes('awa@example.com')));
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
  await eventually(async () => smtp.received.find((m) => m.to.includes('temoin@example.com')));
  assert.equal(smtp.received.filter((m) => m.to.includes('fantome@example.com')).length, 0);
});
