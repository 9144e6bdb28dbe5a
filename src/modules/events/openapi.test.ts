/** The OpenAPI document (the authoritative contract, API.md) carries every events route with its methods. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../test/context.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext();
});
after(() => ctx.close());

test('every events path of API.md is documented, with French summaries and token security', async () => {
  const r = await ctx.app.inject({ url: '/api/schema/' });
  assert.equal(r.statusCode, 200);
  const paths = r.json().paths as Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
  const expected: [string, string[]][] = [
    ['/api/events/', ['get', 'post']],
    ['/api/events/create/', ['post']],
    ['/api/events/{id}/', ['get', 'patch', 'put', 'delete']],
    ['/api/events/mine/', ['get']],
    ['/api/events/feed/', ['get']],
    ['/api/events/categories/', ['get']],
    ['/api/events/participate/', ['post']],
    ['/api/events/{id}/participate/', ['post', 'delete']],
    ['/api/events/{id}/leave/', ['post']],
    ['/api/events/participations/', ['get']],
    ['/api/events/{id}/participants/', ['get']],
    ['/api/events/{id}/submit/', ['post']],
    ['/api/events/{id}/cancel/', ['post']],
    ['/api/events/{id}/image/', ['put', 'delete']],
    ['/api/admin/events/pending/', ['get']],
    ['/api/admin/events/{id}/approve/', ['post']],
    ['/api/admin/events/{id}/reject/', ['post']],
  ];
  for (const [path, methods] of expected) {
    assert.ok(paths[path], `${path} missing`);
    for (const m of methods) {
      const op = paths[path]![m];
      assert.ok(op, `${m.toUpperCase()} ${path} missing`);
      assert.ok(op.summary && /[a-zé]/.test(op.summary), `${m} ${path} summary`);
      if (m !== 'get' || path.includes('mine') || path.includes('feed') || path.includes('admin') || path.includes('particip')) {
        assert.ok(op.security, `${m.toUpperCase()} ${path} should declare token auth`);
      }
    }
  }
  const list = paths['/api/events/']!.get as unknown as { parameters: { name: string }[] };
  const names = list.parameters.map((p) => p.name);
  for (const q of [
    'categorie',
    'type_acces',
    'createur',
    'date_debut_apres',
    'date_debut_avant',
    'a_venir',
    'search',
    'ordering',
    'near',
    'radius_km',
    'page',
    'page_size',
  ]) {
    assert.ok(names.includes(q), `query parameter ${q}`);
  }
});
