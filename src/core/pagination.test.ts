import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { createTestContext, type TestContext } from '../test/context.js';
import { paginate, pageRequest, pageResponse, Paginated, PaginationQuery, pageSizeOf, resolvePage } from './pagination.js';
import { NotFoundError } from './errors.js';

let ctx: TestContext;
let items: number[] = [];
before(async () => {
  ctx = await createTestContext();
  ctx.app.get(
    '/t/items/',
    {
      schema: {
        querystring: Type.Object({ ...PaginationQuery, q: Type.Optional(Type.String()) }),
        response: { 200: Paginated(Type.Integer()) },
      },
    },
    async (request) =>
      pageResponse(
        request,
        await paginate(
          pageRequest(request.query),
          async () => items.length,
          async (limit, offset) => items.slice(offset, offset + limit),
        ),
      ),
  );
  await ctx.app.ready();
});
after(() => ctx.close());

const get = (qs: string) => ctx.app.inject({ url: `/t/items/${qs}`, headers: { host: 'api.test' } });

test('page_size: default 20, clamps to 100, ignores nonsense', () => {
  assert.equal(pageSizeOf(undefined), 20);
  assert.equal(pageSizeOf('5'), 5);
  assert.equal(pageSizeOf('500'), 100);
  assert.equal(pageSizeOf('0'), 20);
  assert.equal(pageSizeOf('-3'), 20);
  assert.equal(pageSizeOf('abc'), 20);
});

test('resolvePage: page 0, negative, past the end and junk are 404 invalid_page; "last" works', () => {
  for (const p of ['0', '-1', 'abc', '6', '1.5']) {
    assert.throws(
      () => resolvePage(p, 100, 20),
      (e: unknown) => e instanceof NotFoundError && e.code === 'invalid_page',
      p,
    );
  }
  assert.deepEqual(resolvePage('last', 100, 20), { page: 5, totalPages: 5 });
  assert.deepEqual(resolvePage(undefined, 0, 20), { page: 1, totalPages: 1 });
});

test('first page of 45 items: shape of the manual, next link, no previous', async () => {
  items = Array.from({ length: 45 }, (_, i) => i + 1);
  const r = await get('?q=x');
  assert.equal(r.statusCode, 200);
  const body = r.json();
  assert.equal(body.count, 45);
  assert.equal(body.results.length, 20);
  assert.equal(body.previous, null);
  assert.equal(body.next, 'http://api.test/t/items/?q=x&page=2');
  assert.deepEqual(body.page_info, { current_page: 1, total_pages: 3, page_size: 20 });
});

test('last page and previous link (page 1 link drops the page parameter)', async () => {
  items = Array.from({ length: 45 }, (_, i) => i + 1);
  const body = (await get('?page=3')).json();
  assert.deepEqual(body.results, [41, 42, 43, 44, 45]);
  assert.equal(body.next, null);
  assert.equal(body.previous, 'http://api.test/t/items/?page=2');
  const p2 = (await get('?page=2')).json();
  assert.equal(p2.previous, 'http://api.test/t/items/');
});

test('page 0 and past the end → 404 invalid_page over HTTP', async () => {
  items = [1, 2, 3];
  for (const qs of ['?page=0', '?page=2', '?page=x']) {
    const r = await get(qs);
    assert.equal(r.statusCode, 404, qs);
    assert.deepEqual(r.json(), { error: 'Page non valide.', code: 'invalid_page' });
  }
});

test('page_size over 100 is served as 100', async () => {
  items = Array.from({ length: 250 }, (_, i) => i);
  const body = (await get('?page_size=1000')).json();
  assert.equal(body.results.length, 100);
  assert.equal(body.page_info.page_size, 100);
  assert.equal(body.page_info.total_pages, 3);
});

test('an empty list is one empty page', async () => {
  items = [];
  const body = (await get('')).json();
  assert.equal(body.count, 0);
  assert.deepEqual(body.results, []);
  assert.deepEqual(body.page_info, { current_page: 1, total_pages: 1, page_size: 20 });
});
