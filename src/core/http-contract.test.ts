/**
 * The HTTP contract DRF clients rely on (core/http-contract.ts), through inject() and, for what Node's parser
 * answers by itself, through a real socket.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../test/context.js';
import { createUserWithToken, registration } from '../test/users.js';
import { categoryIds, eventPayload, insertEvent } from '../test/events.js';
import { multipartBody } from '../test/http.js';
import { users } from '../modules/users/tables.js';

let ctx: TestContext;
let owner: Awaited<ReturnType<typeof createUserWithToken>>;
let category: number;
before(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
  owner = await createUserWithToken(ctx.database.db);
  category = (await categoryIds(ctx.database.db))[0]!;
});
after(() => ctx.close());

const form = (fields: Record<string, string>) => ({
  payload: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

const withHeaders = (b: { payload: string; headers: Record<string, string> }, h: Record<string, string>) => ({
  payload: b.payload,
  headers: { ...h, ...b.headers },
});

describe('bodies: JSON, form and multipart on every endpoint, as DRF parses them', () => {
  test('registration posted as multipart (DRF test client default) and as a form: 201', async () => {
    const asMultipart = multipartBody(registration());
    const r1 = await ctx.app.inject({ method: 'POST', url: '/api/users/register/', ...asMultipart });
    assert.equal(r1.statusCode, 201, r1.body);
    const asForm = form(registration() as Record<string, string>);
    const r2 = await ctx.app.inject({ method: 'POST', url: '/api/users/register/', ...asForm });
    assert.equal(r2.statusCode, 201, r2.body);
  });

  test('form values are converted to the schema types (integers, booleans); an empty field is absent', async () => {
    const fields = { ...eventPayload(category, { capacite_max: '150', brouillon: 'true', latitude: '' }) } as Record<string, unknown>;
    delete fields.latitude;
    const body = multipartBody({ ...fields, longitude: '' });
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/events/',
      headers: { ...owner.headers, ...body.headers },
      payload: body.payload,
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().event.capacite_max, 150);
    assert.equal(r.json().event.statut, 'BROUILLON');
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/events/${r.json().event.id}/`,
      ...withHeaders(form({ capacite_max: '120' }), owner.headers),
    });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().capacite_max, 120);
  });

  test('a form value that does not convert is refused with the field named, in French', async () => {
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/events/participate/',
      ...withHeaders(form({ event_id: 'douze' }), owner.headers),
    });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().details, { event_id: ['Un nombre entier valide est requis.'] });
  });

  test('a content type no parser takes is 415 (not a 400 about the body)', async () => {
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/users/login/',
      headers: { 'content-type': 'text/plain' },
      payload: 'login=a&password=b',
    });
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().code, 'unsupported_media_type');
  });

  test('JSON of the wrong type is refused, never coerced: nothing is stored', async () => {
    for (const [field, value] of [
      ['last_name', ['x']],
      ['first_name', null],
      ['username', 123],
    ] as const) {
      const body = registration({ [field]: value });
      const r = await ctx.app.inject({ method: 'POST', url: '/api/users/register/', payload: body });
      assert.equal(r.statusCode, 400, `${field}: ${r.body}`);
      assert.ok(r.json().details[field], `${field} named`);
      const stored = await ctx.database.db
        .select()
        .from(users)
        .where(eq(users.email, String(body.email)));
      assert.equal(stored.length, 0);
    }
  });

  test('a file sent to an endpoint that takes none is refused (400), not silently dropped', async () => {
    const body = multipartBody({ event_id: '1' }, [
      { field: 'x', filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('a') },
    ]);
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/events/participate/',
      headers: { ...owner.headers, ...body.headers },
      payload: body.payload,
    });
    assert.equal(r.statusCode, 400);
  });
});

describe('malformed multipart bodies are a 400 on every multipart endpoint', () => {
  let eventId: number;
  before(async () => {
    eventId = await insertEvent(ctx.database.db, owner.user.id, { statut: 'EN_ATTENTE' });
  });
  const endpoints = () => [
    ['POST', '/api/events/'],
    ['POST', '/api/events/create/'],
    ['PATCH', `/api/events/${eventId}/`],
    ['PUT', `/api/events/${eventId}/`],
    ['PUT', `/api/events/${eventId}/image/`],
    ['POST', '/api/users/me/photo/'],
  ];
  const bodies = [
    {
      name: 'no boundary',
      contentType: 'multipart/form-data',
      payload: '--x\r\nContent-Disposition: form-data; name="titre"\r\n\r\nA\r\n--x--\r\n',
    },
    {
      name: 'truncated',
      contentType: 'multipart/form-data; boundary=abc',
      payload: '--abc\r\nContent-Disposition: form-data; name="titre"\r\n\r\nUn titre sans fin',
    },
    {
      name: 'wrong boundary',
      contentType: 'multipart/form-data; boundary=abc',
      payload: '--zzz\r\nContent-Disposition: form-data; name="t"\r\n\r\nA\r\n--zzz--\r\n',
    },
  ];
  test('no boundary, truncated, wrong boundary', async () => {
    for (const [method, url] of endpoints()) {
      for (const b of bodies) {
        const r = await ctx.app.inject({
          method: method as 'POST',
          url: url!,
          headers: { ...owner.headers, 'content-type': b.contentType },
          payload: b.payload,
        });
        assert.equal(r.statusCode, 400, `${method} ${url} (${b.name}): ${r.statusCode} ${r.body}`);
        assert.equal(typeof r.json().error, 'string');
        assert.ok(r.json().code, `${method} ${url} (${b.name}) answers in the API format`);
      }
    }
  });
});

describe('paths and methods', () => {
  test('a known path with another method is 405 with Allow', async () => {
    const r = await ctx.app.inject({ method: 'DELETE', url: '/api/users/register/' });
    assert.equal(r.statusCode, 405);
    assert.deepEqual(r.json(), { error: 'Méthode « DELETE » non autorisée.', code: 'method_not_allowed' });
    assert.equal(r.headers.allow, 'POST, OPTIONS');
    const cats = await ctx.app.inject({ method: 'PUT', url: '/api/events/categories/' });
    assert.equal(cats.statusCode, 405);
    assert.match(String(cats.headers.allow), /GET/);
  });

  test('OPTIONS on a known path answers 204 with Allow (not "Invalid Preflight Request")', async () => {
    const r = await ctx.app.inject({ method: 'OPTIONS', url: '/api/users/me/' });
    assert.equal(r.statusCode, 204, r.body);
    assert.match(String(r.headers.allow), /GET/);
    assert.match(String(r.headers.allow), /PATCH/);
  });

  test('a non-numeric id in a path is a 404, as DRF does', async () => {
    for (const url of ['/api/events/abc/', '/api/users/abc/', '/api/events/12abc/participate/']) {
      const r = await ctx.app.inject({ method: url.endsWith('participate/') ? 'POST' : 'GET', url, headers: owner.headers });
      assert.equal(r.statusCode, 404, `${url}: ${r.body}`);
      assert.equal(r.json().code, 'not_found');
    }
  });

  test('CORS preflight allows PATCH, PUT and DELETE from another origin (development)', async () => {
    const r = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/api/events/1/',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PATCH' },
    });
    assert.equal(r.statusCode, 204);
    for (const m of ['PATCH', 'PUT', 'DELETE']) assert.match(String(r.headers['access-control-allow-methods']), new RegExp(m));
  });
});

describe('what Node and Fastify answer by themselves is in the API format, in French (real socket)', () => {
  let port: number;
  before(async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    port = (ctx.app.server.address() as AddressInfo).port;
  });

  /** Sends raw bytes and returns the status line and the body. */
  function raw(request: Buffer | string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (d) => (data += d.toString('utf8')));
      socket.on('error', reject);
      socket.on('close', () => {
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
        resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
      });
      socket.end(request);
    });
  }

  test('a raw UTF-8 query string (?search=Bouaké unencoded) is answered: results, or a French 400', async () => {
    const r = await raw(
      Buffer.concat([
        Buffer.from('GET /api/events/?search=Bouak'),
        Buffer.from('é', 'utf8'),
        Buffer.from(' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'),
      ]),
    );
    assert.ok(r.status === 200 || r.status === 400, `status ${r.status}`);
    if (r.status === 400) {
      const body = JSON.parse(r.body);
      assert.equal(body.code, 'bad_request');
      assert.match(body.error, /encodez/);
    }
  });

  test('a bad percent-encoding in the path is a French 400', async () => {
    const r = await raw('GET /api/events/%ZZ/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 400);
    const body = JSON.parse(r.body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, ''));
    assert.equal(body.code, 'bad_request');
    assert.match(body.error, /adresse/);
  });

  test('a URL or headers too large is a French 431', async () => {
    const r = await raw(`GET /api/events/?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 431);
    assert.equal(JSON.parse(r.body).code, 'request_header_fields_too_large');
    const h = await raw(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    assert.equal(h.status, 431);
  });
});
