/** French that reads right (issue 18): one message per fault, the field named, elision, people's dates. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../test/context.js';
import { createUserWithToken } from '../test/users.js';
import { categoryIds, eventPayload, insertEvent } from '../test/events.js';
import { elide, formatDateTime, formatFrancs, formatShortDateTime } from './french.js';

let ctx: TestContext;
let user: Awaited<ReturnType<typeof createUserWithToken>>;
before(async () => {
  ctx = await createTestContext();
  user = await createUserWithToken(ctx.database.db);
});
after(() => ctx.close());

test('formatters: francs with a plain space, Abidjan dates, elision', () => {
  assert.equal(formatFrancs(15000), '15 000 F CFA');
  assert.equal(formatFrancs(1250000), '1 250 000 F CFA');
  assert.equal(formatShortDateTime(new Date('2026-12-01T21:39:27.601Z')), '1 décembre 2026 à 21:39');
  assert.equal(formatDateTime(new Date('2026-12-25T20:00:00Z')), "vendredi 25 décembre 2026 à 20:00 (heure d'Abidjan)");
  assert.equal(elide('de', 'annuler'), "d'annuler");
  assert.equal(elide('le', 'annuler'), "l'annuler");
  assert.equal(elide('de', 'valider'), 'de valider');
});

test('a date that is not one gives one message, not one per branch of the schema', async () => {
  const r = await ctx.app.inject({
    method: 'PATCH',
    url: '/api/users/me/',
    headers: user.headers,
    payload: { date_naissance: 'pas une date' },
  });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, { date_naissance: ["La date n'a pas le bon format (AAAA-MM-JJ)."] });
});

test('null for a field that does not take it says so (not "supérieure ou égale à 1")', async () => {
  const cat = (await categoryIds(ctx.database.db))[0]!;
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/events/',
    headers: user.headers,
    payload: eventPayload(cat, { categorie: null }),
  });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details.categorie, ['Ce champ ne peut être nul.']);
});

test('a filter given twice takes its last value, as DRF does', async () => {
  const cats = await categoryIds(ctx.database.db);
  const id = await insertEvent(ctx.database.db, user.user.id, { categorieId: cats[1]! });
  const r = await ctx.app.inject({ url: `/api/events/?categorie=${cats[0]}&categorie=${cats[1]}` });
  assert.equal(r.statusCode, 200, r.body);
  assert.ok(r.json().results.some((e: { id: number }) => e.id === id));
});

test('a NUL character names its field', async () => {
  const r = await ctx.app.inject({ method: 'PATCH', url: '/api/users/me/', headers: user.headers, payload: { bio: 'Bonjour\u0000' } });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(r.json().details, { bio: ['Les caractères nuls ne sont pas autorisés.'] });
});

test('query string errors have one heading, from the schema or from a module', async () => {
  const fromModule = await ctx.app.inject({ url: '/api/events/?ordering=prix' });
  const fromSchema = await ctx.app.inject({ url: '/api/payments/?statut=PERDU', headers: user.headers });
  assert.equal(fromModule.statusCode, 400);
  assert.equal(fromSchema.statusCode, 400);
  assert.equal(fromModule.json().error, 'Paramètres de la requête invalides');
  assert.equal(fromSchema.json().error, fromModule.json().error);
});

test('elision in the events messages: "l\'annuler", "d\'annuler"', async () => {
  const other = await createUserWithToken(ctx.database.db);
  const id = await insertEvent(ctx.database.db, user.user.id);
  const notOwner = await ctx.app.inject({ method: 'POST', url: `/api/events/${id}/cancel/`, headers: other.headers });
  assert.equal(notOwner.statusCode, 403);
  assert.equal(notOwner.json().error, "Seul l'organisateur de l'événement peut l'annuler.");
  const finished = await insertEvent(ctx.database.db, user.user.id, { statut: 'TERMINE' });
  const r = await ctx.app.inject({ method: 'POST', url: `/api/events/${finished}/cancel/`, headers: user.headers });
  assert.equal(r.statusCode, 409);
  assert.equal(r.json().error, "Impossible d'annuler un événement au statut « Terminé ».");
});
