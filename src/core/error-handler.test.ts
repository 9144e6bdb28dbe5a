import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { createTestContext, type TestContext } from '../test/context.js';
import { ConflictError, ValidationError } from './errors.js';
import { users } from '../modules/users/tables.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { BODY_LIMIT: '2048' } });
  const { app } = ctx;
  app.get('/t/boom', async () => {
    throw new Error('SELECT secret FROM internals; connexion 10.0.0.3 refusée');
  });
  app.post(
    '/t/echo/',
    {
      schema: {
        body: Type.Object({
          titre: Type.String({ minLength: 1, maxLength: 10 }),
          capacite_max: Type.Integer({ minimum: 1 }),
          type_acces: Type.Union([Type.Literal('GRATUIT'), Type.Literal('PAYANT')]),
          email: Type.Optional(Type.String({ format: 'email' })),
          telephone: Type.Optional(
            Type.String({ pattern: '^\\+225[0-9]{8,10}$', 'x-message': 'Numéro de téléphone invalide. Format: +225XXXXXXXX' }),
          ),
        }),
      },
    },
    async (req) => req.body,
  );
  app.post('/t/rule', async () => {
    throw ValidationError.field('date_fin', 'La date de fin doit être postérieure à la date de début.');
  });
  app.post('/t/full', async () => {
    throw new ConflictError('Cet événement est complet.', 'event_full');
  });
  app.post('/t/dup', async () => {
    const v = { username: 'dup', email: 'dup@example.com', password: 'x', telephone: '+2250799999999' };
    await ctx.database.db.insert(users).values(v);
    await ctx.database.db.insert(users).values({ ...v, username: 'dup2' });
  });
  await app.ready();
});
after(() => ctx.close());

test('malformed JSON → 400 parse_error in the API format', async () => {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/t/echo/',
    headers: { 'content-type': 'application/json' },
    payload: '{"titre": ',
  });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json(), { error: "Le corps de la requête n'est pas un JSON valide.", code: 'parse_error' });
});

test('oversize body → 413', async () => {
  const r = await ctx.app.inject({ method: 'POST', url: '/t/echo/', payload: { titre: 'x'.repeat(5000) } });
  assert.equal(r.statusCode, 413);
  assert.equal(r.json().code, 'payload_too_large');
  assert.match(r.json().error, /2048 octets/);
});

test('unsupported content type → 415', async () => {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/t/echo/',
    headers: { 'content-type': 'application/x-nimportequoi' },
    payload: 'a=b',
  });
  assert.equal(r.statusCode, 415);
  assert.equal(r.json().code, 'unsupported_media_type');
});

test('unknown route → 404 JSON', async () => {
  const r = await ctx.app.inject({ url: '/api/nulle-part/' });
  assert.equal(r.statusCode, 404);
  assert.equal(r.headers['content-type']?.toString().startsWith('application/json'), true);
  assert.equal(r.json().code, 'not_found');
});

test('a thrown internal error → 500 without its details', async () => {
  const r = await ctx.app.inject({ url: '/t/boom' });
  assert.equal(r.statusCode, 500);
  assert.deepEqual(r.json(), { error: 'Erreur interne du serveur.', code: 'server_error' });
  assert.doesNotMatch(r.body, /SELECT|10\.0\.0\.3|stack|at /);
});

test('schema validation → 400 with French messages per field, all fields at once', async () => {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/t/echo/',
    payload: { titre: '', capacite_max: 0, type_acces: 'VIP', email: 'pas-un-email', telephone: '0701' },
  });
  assert.equal(r.statusCode, 400);
  const body = r.json();
  assert.equal(body.code, 'validation_error');
  assert.equal(body.error, 'Données invalides');
  assert.deepEqual(body.details.titre, ['Ce champ ne peut être vide.']);
  assert.deepEqual(body.details.capacite_max, ['Assurez-vous que cette valeur est supérieure ou égale à 1.']);
  assert.ok(body.details.type_acces.length >= 1);
  assert.deepEqual(body.details.email, ['Saisissez une adresse e-mail valide.']);
  assert.deepEqual(body.details.telephone, ['Numéro de téléphone invalide. Format: +225XXXXXXXX']);
});

test('a missing field is named', async () => {
  const r = await ctx.app.inject({ method: 'POST', url: '/t/echo/', payload: { titre: 'ok', type_acces: 'GRATUIT' } });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, { capacite_max: ['Ce champ est obligatoire.'] });
});

test('a business rule error carries its field', async () => {
  const r = await ctx.app.inject({ method: 'POST', url: '/t/rule' });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, { date_fin: ['La date de fin doit être postérieure à la date de début.'] });
});

test('a conflict keeps its own code', async () => {
  const r = await ctx.app.inject({ method: 'POST', url: '/t/full' });
  assert.equal(r.statusCode, 409);
  assert.deepEqual(r.json(), { error: 'Cet événement est complet.', code: 'event_full' });
});

test('an unexpected unique violation → 409 duplicate, never 500', async () => {
  const r = await ctx.app.inject({ method: 'POST', url: '/t/dup' });
  assert.equal(r.statusCode, 409);
  assert.equal(r.json().code, 'duplicate');
});

test('paths answer with and without the trailing slash', async () => {
  const a = await ctx.app.inject({ url: '/api/events/categories/' });
  const b = await ctx.app.inject({ url: '/api/events/categories' });
  assert.equal(a.statusCode, 200);
  assert.equal(b.statusCode, 200);
  assert.deepEqual(a.json(), b.json());
});

test('every answer carries a request id; a sane incoming one is kept', async () => {
  const r = await ctx.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
  assert.equal(r.headers['x-request-id'], 'abc-123');
  const r2 = await ctx.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
  assert.match(String(r2.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('security headers are set', async () => {
  const r = await ctx.app.inject({ url: '/healthz' });
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['x-frame-options'], 'SAMEORIGIN');
  // Development: no HSTS (it would pin browsers to https on localhost).
  assert.equal(r.headers['strict-transport-security'], undefined);
});

test('CORS preflight is answered', async () => {
  const r = await ctx.app.inject({
    method: 'OPTIONS',
    url: '/api/events/categories/',
    headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'GET' },
  });
  assert.equal(r.statusCode, 204);
  assert.equal(r.headers['access-control-allow-origin'], 'http://localhost:3000');
});

test('values the database cannot take are a 400 in French, never a 500', async () => {
  // Past the integer range, and a NUL character, on real routes.
  for (const url of ['/api/events/2147483648/', '/api/events/?search=ab%00cd', '/api/admin/payments/?evenement=2147483648']) {
    const r = await ctx.app.inject({ url });
    assert.ok(r.statusCode < 500, `${url} → ${r.statusCode}`);
  }
  const r = await ctx.app.inject({ url: '/api/events/?search=ab%00cd' });
  assert.equal(r.statusCode, 400);
  // Caught before the database now, with the field named (issue 18); the database's own refusal stays a 400 too.
  assert.equal(r.json().code, 'validation_error');
  assert.deepEqual(r.json().details, { search: ['Les caractères nuls ne sont pas autorisés.'] });
  assert.match(r.json().error, /invalide/);
});
