/** Creating an event: who may, every validation rule with its French message, read-only fields, cover image. */
import sharp from 'sharp';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { HOUR, categoryIds, eventPayload, inDays } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { multipartBody } from '../../test/http.js';
import { eventCategories, events } from './tables.js';

let ctx: TestContext;
let category: number;
let user: Awaited<ReturnType<typeof createUserWithToken>>;
const mediaRoot = mkdtempSync(path.join(tmpdir(), 'sv-media-'));
before(async () => {
  ctx = await createTestContext({ env: { MEDIA_ROOT: mediaRoot, EVENT_IMAGE_MAX_BYTES: '20000' } });
  [category] = (await categoryIds(ctx.database.db)) as [number];
  user = await createUserWithToken(ctx.database.db);
});
after(async () => {
  await ctx.close();
  rmSync(mediaRoot, { recursive: true, force: true });
});

const create = (payload: unknown, headers = user.headers) =>
  ctx.app.inject({ method: 'POST', url: '/api/events/create/', headers, payload: payload as object });
const details = (r: { json(): { details?: Record<string, string[]> } }) => r.json().details ?? {};

// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** The form of an event creation, with its cover image (field `image` unless told). */
const multipart = (fields: Record<string, unknown>, file?: { name: string; content: Buffer; type: string; field?: string }) =>
  multipartBody(fields, file ? [{ field: file.field ?? 'image', filename: file.name, contentType: file.type, content: file.content }] : []);

test('anonymous: 401; both paths create for the caller', async () => {
  const anon = await ctx.app.inject({ method: 'POST', url: '/api/events/create/', payload: eventPayload(category) });
  assert.equal(anon.statusCode, 401);
  for (const url of ['/api/events/create/', '/api/events/', '/api/events/create', '/api/events']) {
    const r = await ctx.app.inject({ method: 'POST', url, headers: user.headers, payload: eventPayload(category) });
    assert.equal(r.statusCode, 201, `${url}: ${r.body}`);
    assert.deepEqual(Object.keys(r.json()).sort(), ['event', 'message']);
    assert.equal(r.json().event.createur.id, user.user.id);
    assert.equal(r.json().event.statut, 'EN_ATTENTE');
  }
});

test('every field of the manual is stored and returned', async () => {
  const payload = eventPayload(category, {
    titre: 'Festival des Grillades',
    type_acces: 'PAYANT',
    prix: 5000,
    latitude: 5.3364,
    longitude: -4.0267,
    capacite_max: 2500,
  });
  const r = await create(payload);
  assert.equal(r.statusCode, 201, r.body);
  const ev = r.json().event;
  for (const k of [
    'titre',
    'description',
    'description_courte',
    'lieu',
    'adresse',
    'type_acces',
    'prix',
    'capacite_max',
    'latitude',
    'longitude',
  ]) {
    assert.deepEqual(ev[k], payload[k], k);
  }
  assert.equal(ev.date_debut, payload.date_debut);
  assert.equal(ev.date_fin, payload.date_fin);
  assert.equal(ev.categorie.id, category);
  assert.equal(ev.nombre_vues, 0);
  assert.equal(ev.image, null);
  assert.equal(ev.validateur, null);
  assert.equal(ev.motif_rejet, '');
  // Never the search document, never the creator's private fields.
  assert.equal(ev.search_document, undefined);
  assert.equal(ev.createur.email, undefined);
  assert.equal(ev.createur.password, undefined);
});

test('statut, createur and nombre_vues are read-only', async () => {
  const other = await createUserWithToken(ctx.database.db);
  const r = await create(
    eventPayload(category, {
      statut: 'VALIDE',
      createur: other.user.id,
      nombre_vues: 999,
      validateur: other.user.id,
      participants_count: 5,
    }),
  );
  assert.equal(r.statusCode, 201);
  const ev = r.json().event;
  assert.equal(ev.statut, 'EN_ATTENTE');
  assert.equal(ev.createur.id, user.user.id);
  assert.equal(ev.nombre_vues, 0);
  assert.equal(ev.validateur, null);
  assert.equal(ev.participants_count, 0);
});

test('brouillon=true saves a draft', async () => {
  const r = await create(eventPayload(category, { brouillon: true }));
  assert.equal(r.statusCode, 201);
  assert.equal(r.json().event.statut, 'BROUILLON');
  assert.match(r.json().message, /Brouillon/);
});

test('required fields: each missing one is named', async () => {
  const r = await create({});
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().code, 'validation_error');
  for (const f of [
    'titre',
    'description',
    'description_courte',
    'categorie',
    'date_debut',
    'date_fin',
    'lieu',
    'adresse',
    'type_acces',
    'capacite_max',
  ]) {
    assert.deepEqual(details(r)[f], ['Ce champ est obligatoire.'], f);
  }
});

test('dates: the end after the start, no new event in the past, ISO 8601 with an offset', async () => {
  const debut = inDays(10);
  let r = await create(eventPayload(category, { date_debut: debut.toISOString(), date_fin: debut.toISOString() }));
  assert.equal(r.statusCode, 400);
  assert.deepEqual(details(r).date_fin, ['La date de fin doit être postérieure à la date de début.']);

  r = await create(
    eventPayload(category, { date_debut: new Date(Date.now() - HOUR).toISOString(), date_fin: new Date(Date.now() + HOUR).toISOString() }),
  );
  assert.deepEqual(details(r).date_debut, ['La date de début ne peut pas être dans le passé.']);

  r = await create(eventPayload(category, { date_debut: '2024-12-25T20:00:00Z', date_fin: '2024-12-25T23:00:00Z' }));
  assert.deepEqual(details(r).date_debut, ['La date de début ne peut pas être dans le passé.'], "the manual's own date is past now");

  r = await create(eventPayload(category, { date_debut: '25/12/2030 20h' }));
  assert.match(details(r).date_debut![0]!, /ISO 8601/);

  r = await create(eventPayload(category, { date_fin: new Date(debut.getTime() + 400 * 24 * HOUR).toISOString() }));
  assert.deepEqual(details(r).date_fin, ["Un événement ne peut pas durer plus d'un an."]);

  // A leap second passes the date-time format but is no date: a 400, not a 500.
  r = await create(eventPayload(category, { date_debut: '2030-12-31T23:59:60Z', date_fin: '2031-01-01T02:00:00Z' }));
  assert.equal(r.statusCode, 400);
  assert.deepEqual(details(r).date_debut, ['Date invalide.']);
});

test('coordinates: in range, and both or neither', async () => {
  let r = await create(eventPayload(category, { latitude: 91, longitude: 0 }));
  assert.deepEqual(details(r).latitude, ['La latitude doit être comprise entre -90 et 90.']);
  r = await create(eventPayload(category, { latitude: 5, longitude: -181 }));
  assert.deepEqual(details(r).longitude, ['La longitude doit être comprise entre -180 et 180.']);
  r = await create(eventPayload(category, { latitude: 5.3 }));
  assert.deepEqual(details(r).longitude, ['Indiquez la latitude et la longitude ensemble, ou aucune des deux.']);
  r = await create(eventPayload(category, { longitude: -4 }));
  assert.deepEqual(details(r).latitude, ['Indiquez la latitude et la longitude ensemble, ou aucune des deux.']);
  r = await create(eventPayload(category, { latitude: null, longitude: null }));
  assert.equal(r.statusCode, 201);
});

test('price: 0 for GRATUIT, > 0 for PAYANT, whole francs', async () => {
  let r = await create(eventPayload(category, { type_acces: 'GRATUIT', prix: 1000 }));
  assert.deepEqual(details(r).prix, ['Un événement gratuit doit avoir un prix de 0.']);
  r = await create(eventPayload(category, { type_acces: 'PAYANT', prix: 0 }));
  assert.deepEqual(details(r).prix, ["Le prix d'un événement payant doit être supérieur à 0."]);
  r = await create(eventPayload(category, { type_acces: 'PAYANT', prix: 2500.5 }));
  assert.equal(r.statusCode, 400);
  assert.ok(details(r).prix);
  r = await create(eventPayload(category, { type_acces: 'PAYANT', prix: -5 }));
  assert.deepEqual(details(r).prix, ['Le prix doit être un nombre entier de francs CFA entre 0 et 99 999 999.']);
  r = await create(eventPayload(category, { type_acces: 'GRATOS' }));
  assert.match(details(r).type_acces![0]!, /GRATUIT, PAYANT/);
  r = await create(eventPayload(category, { type_acces: 'PAYANT', prix: 2000 }));
  assert.equal(r.statusCode, 201);
});

test('capacity at least 1; lengths bounded; blank text refused', async () => {
  let r = await create(eventPayload(category, { capacite_max: 0 }));
  assert.deepEqual(details(r).capacite_max, ['La capacité maximale doit être comprise entre 1 et 1 000 000 places.']);
  r = await create(eventPayload(category, { titre: 'x'.repeat(201) }));
  assert.deepEqual(details(r).titre, ['Assurez-vous que ce champ comporte au plus 200 caractères.']);
  r = await create(eventPayload(category, { description_courte: 'x'.repeat(301) }));
  assert.deepEqual(details(r).description_courte, ['Assurez-vous que ce champ comporte au plus 300 caractères.']);
  r = await create(eventPayload(category, { titre: '   ', lieu: ' ' }));
  assert.deepEqual(details(r).titre, ['Le titre doit comporter au moins 3 caractères.']);
  assert.deepEqual(details(r).lieu, ['Le lieu ne peut pas être vide.']);
});

test('unknown or inactive category', async () => {
  let r = await create(eventPayload(999_999));
  assert.deepEqual(details(r).categorie, ['Catégorie inconnue (999999).']);
  const [inactive] = await ctx.database.db.insert(eventCategories).values({ nom: 'Ancienne', slug: 'ancienne', actif: false }).returning();
  r = await create(eventPayload(inactive!.id));
  assert.equal(r.statusCode, 400);
  assert.ok(details(r).categorie);
});

test('several broken rules are all reported at once, and nothing is written', async () => {
  const before = (await ctx.database.db.select({ id: events.id }).from(events)).length;
  const debut = inDays(5);
  const r = await create(
    eventPayload(category, {
      date_fin: debut.toISOString(),
      date_debut: debut.toISOString(),
      type_acces: 'GRATUIT',
      prix: 100,
      latitude: 5,
    }),
  );
  assert.equal(r.statusCode, 400);
  assert.deepEqual(Object.keys(details(r)).sort(), ['date_fin', 'longitude', 'prix']);
  assert.equal((await ctx.database.db.select({ id: events.id }).from(events)).length, before);
});

test('malformed JSON is a French 400, never a 500', async () => {
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/events/create/',
    headers: { ...user.headers, 'content-type': 'application/json' },
    payload: '{"titre": ',
  });
  assert.equal(r.statusCode, 400);
  assert.equal(r.json().code, 'parse_error');
});

test('multipart/form-data with a cover image: stored re-encoded under MEDIA_ROOT with its WebP variant, served at /media/', async () => {
  const { payload, headers } = multipart(eventPayload(category, { titre: 'Avec affiche' }), {
    name: 'affiche.png',
    content: PNG,
    type: 'image/png',
  });
  const r = await ctx.app.inject({ method: 'POST', url: '/api/events/create/', headers: { ...user.headers, ...headers }, payload });
  assert.equal(r.statusCode, 201, r.body);
  const ev = r.json().event;
  assert.equal(ev.capacite_max, 100, 'form fields are converted like JSON');
  assert.match(ev.image, /^http:\/\/localhost(:\d+)?\/media\/events\/[A-Za-z0-9_-]{22}\.png$/);
  const served = await ctx.app.inject({ url: new URL(ev.image).pathname });
  assert.equal(served.statusCode, 200);
  assert.equal(served.headers['content-type'], 'image/png');
  assert.equal(served.headers['cross-origin-resource-policy'], 'cross-origin');
  assert.equal(served.headers['x-content-type-options'], 'nosniff');
  // A PNG of the same size, encoded by us: nothing of the upload's bytes beyond its pixels is kept.
  const meta = await sharp(served.rawPayload).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 1, 1]);
  assert.match(ev.image_miniature, /^http:\/\/localhost(:\d+)?\/media\/events\/[A-Za-z0-9_-]{22}\.thumb\.webp$/);
  assert.equal((await ctx.app.inject({ url: new URL(ev.image_miniature).pathname })).headers['content-type'], 'image/webp');
  const [row] = await ctx.database.db.select({ image: events.image }).from(events).where(eq(events.id, ev.id));
  assert.ok(existsSync(path.join(mediaRoot, row!.image)));
});

test('an image is judged by its bytes, not its name or type; too large is 413; bad media paths 404', async () => {
  const fake = multipart(eventPayload(category), {
    name: 'photo.png',
    content: Buffer.from('<svg onload="alert(1)"></svg>'),
    type: 'image/png',
  });
  let r = await ctx.app.inject({
    method: 'POST',
    url: '/api/events/create/',
    headers: { ...user.headers, ...fake.headers },
    payload: fake.payload,
  });
  assert.equal(r.statusCode, 400);
  assert.deepEqual(details(r).image, ['Image invalide : formats acceptés JPEG, PNG ou WebP.']);

  const big = multipart(eventPayload(category), {
    name: 'big.png',
    content: Buffer.concat([PNG, Buffer.alloc(30_000)]),
    type: 'image/png',
  });
  r = await ctx.app.inject({
    method: 'POST',
    url: '/api/events/create/',
    headers: { ...user.headers, ...big.headers },
    payload: big.payload,
  });
  assert.equal(r.statusCode, 413);
  assert.match(r.json().error, /Image trop volumineuse/);

  const wrongField = multipart(eventPayload(category), { name: 'a.png', content: PNG, type: 'image/png', field: 'photo' });
  r = await ctx.app.inject({
    method: 'POST',
    url: '/api/events/create/',
    headers: { ...user.headers, ...wrongField.headers },
    payload: wrongField.payload,
  });
  assert.equal(r.statusCode, 400);

  for (const p of ['/media/events/..%2F..%2Fetc%2Fpasswd', '/media/events/nope.png', '/media/events/.hidden.png.tmp']) {
    assert.equal((await ctx.app.inject({ url: p })).statusCode, 404, p);
  }
});

test('replace and remove the cover image (owner only); the old file is deleted', async () => {
  const r = await create(eventPayload(category));
  const id = r.json().event.id;
  const up = multipart({}, { name: 'a.png', content: PNG, type: 'image/png' });
  const other = await createUserWithToken(ctx.database.db);
  // Pending events are invisible to others: 404 rather than 403.
  assert.equal(
    (
      await ctx.app.inject({
        method: 'PUT',
        url: `/api/events/${id}/image/`,
        headers: { ...other.headers, ...up.headers },
        payload: up.payload,
      })
    ).statusCode,
    404,
  );
  const put = await ctx.app.inject({
    method: 'PUT',
    url: `/api/events/${id}/image/`,
    headers: { ...user.headers, ...up.headers },
    payload: up.payload,
  });
  assert.equal(put.statusCode, 200, put.body);
  const first = (await ctx.database.db.select({ image: events.image }).from(events).where(eq(events.id, id)))[0]!.image;
  const put2 = await ctx.app.inject({
    method: 'PUT',
    url: `/api/events/${id}/image/`,
    headers: { ...user.headers, ...up.headers },
    payload: up.payload,
  });
  assert.equal(put2.statusCode, 200);
  assert.ok(!existsSync(path.join(mediaRoot, first)), 'replaced file removed');
  const del = await ctx.app.inject({ method: 'DELETE', url: `/api/events/${id}/image/`, headers: user.headers });
  assert.equal(del.statusCode, 200);
  assert.equal(del.json().image, null);
  const empty = multipart({});
  const none = await ctx.app.inject({
    method: 'PUT',
    url: `/api/events/${id}/image/`,
    headers: { ...user.headers, ...empty.headers },
    payload: empty.payload,
  });
  assert.equal(none.statusCode, 400);
  assert.deepEqual(details(none).image, ['Ce champ est obligatoire.']);
});
