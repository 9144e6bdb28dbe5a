import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../test/context.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('the OpenAPI document names every accounts endpoint, and no schema exposes a secret field', async () => {
  const r = await ctx.app.inject({ url: '/api/schema/' });
  assert.equal(r.statusCode, 200);
  const doc = r.json();
  const expected: [string, string][] = [
    ['/api/users/register/', 'post'],
    ['/api/users/login/', 'post'],
    ['/api/users/logout/', 'post'],
    ['/api/users/me/', 'get'],
    ['/api/users/me/', 'patch'],
    ['/api/users/me/photo/', 'post'],
    ['/api/users/me/photo/', 'delete'],
    ['/api/users/me/password/', 'post'],
    ['/api/users/me/export/', 'get'],
    ['/api/users/me/delete/', 'post'],
    ['/api/users/{id}/', 'get'],
    ['/api/users/{id}/follow/', 'post'],
    ['/api/users/{id}/follow/', 'delete'],
    ['/api/users/{id}/followers/', 'get'],
    ['/api/users/{id}/following/', 'get'],
    ['/api/auth/password/reset/', 'post'],
    ['/api/auth/password/reset/confirm/', 'post'],
    ['/api/auth/password/reset/confirm/', 'get'],
    ['/api/auth/email/verify/', 'get'],
    ['/api/auth/email/verify/', 'post'],
    ['/api/auth/email/verify/request/', 'post'],
    ['/api/auth/phone/send-code/', 'post'],
    ['/api/auth/phone/verify/', 'post'],
    ['/api/auth/google/', 'post'],
    ['/api/auth/facebook/', 'post'],
    ['/api/admin/users/', 'get'],
    ['/api/admin/users/{id}/deactivate/', 'post'],
    ['/api/admin/users/{id}/activate/', 'post'],
  ];
  for (const [path, method] of expected) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method.toUpperCase()} ${path}`);
    assert.ok(op.summary, `${path} has a summary`);
  }
  assert.equal(doc.paths['/api/users/login/'].post.responses['429'] !== undefined, true);
  const text = JSON.stringify(doc);
  assert.doesNotMatch(text, /"(password_hash|key_hash|token_hash|code_hash)"/);
});
