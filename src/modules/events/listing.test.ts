/**
 * The public list: validated events only, every filter, ordering, pagination; detail visibility; the feed;
 * `participants_count` and `is_participating` on every event; the organizer's own events with counts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../test/context.js';
import { DAY, HOUR, categoryIds, inDays, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { follows } from '../users/tables.js';
import { eventParticipations, events } from './tables.js';
import { parseQueryDate } from './validation.js';
import { eq, sql } from 'drizzle-orm';

let ctx: TestContext;
let cats: number[];
let alice: Awaited<ReturnType<typeof createUserWithToken>>;
let bob: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
let viewer: Awaited<ReturnType<typeof createUserWithToken>>;
const ids: Record<string, number> = {};

before(async () => {
  ctx = await createTestContext();
  const { db } = ctx.database;
  cats = await categoryIds(db);
  alice = await createUserWithToken(db);
  bob = await createUserWithToken(db);
  staff = await createUserWithToken(db, { isStaff: true });
  viewer = await createUserWithToken(db);
  const t0 = Date.now();
  ids.a = await insertEvent(db, alice.user.id, {
    titre: 'A concert',
    categorieId: cats[0],
    dateDebut: inDays(3),
    nombreVues: 50,
    dateCreation: new Date(t0 - 5 * DAY),
  });
  ids.b = await insertEvent(db, alice.user.id, {
    titre: 'B atelier',
    categorieId: cats[1],
    typeAcces: 'PAYANT',
    prix: 2000,
    dateDebut: inDays(10),
    nombreVues: 500,
    dateCreation: new Date(t0 - 1 * DAY),
  });
  ids.c = await insertEvent(db, bob.user.id, {
    titre: 'C match',
    categorieId: cats[0],
    dateDebut: inDays(20),
    nombreVues: 5,
    dateCreation: new Date(t0 - 3 * DAY),
  });
  ids.d = await insertEvent(db, bob.user.id, {
    titre: 'D gala',
    categorieId: cats[2],
    typeAcces: 'PAYANT',
    prix: 10000,
    dateDebut: inDays(40),
    nombreVues: 100,
    dateCreation: new Date(t0 - 2 * DAY),
  });
  // Running now (started an hour ago, ends in two): still listed by default.
  ids.running = await insertEvent(db, bob.user.id, {
    titre: 'E en cours',
    categorieId: cats[0],
    dateDebut: new Date(t0 - HOUR),
    dateFin: new Date(t0 + 2 * HOUR),
    dateCreation: new Date(t0 - 4 * DAY),
  });
  // Over but not yet marked TERMINE by the job: hidden by default.
  ids.over = await insertEvent(db, bob.user.id, {
    titre: 'F fini',
    categorieId: cats[0],
    dateDebut: new Date(t0 - 5 * HOUR),
    dateFin: new Date(t0 - HOUR),
  });
  for (const statut of ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'TERMINE', 'ANNULE'] as const) {
    ids[statut] = await insertEvent(db, alice.user.id, { titre: `Caché ${statut}`, statut, dateDebut: inDays(5) });
  }
});
after(() => ctx.close());

const list = async (qs = '', headers: Record<string, string> = {}) => {
  const r = await ctx.app.inject({ url: `/api/events/${qs}`, headers });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as {
    count: number;
    results: { id: number; [k: string]: unknown }[];
    next: string | null;
    previous: string | null;
    page_info: Record<string, number>;
  };
};
const titles = (page: { results: Record<string, unknown>[] }) => page.results.map((e) => String(e.titre).split(' ')[0]);

test('only VALIDE events not yet over, soonest first by default', async () => {
  const page = await list();
  assert.deepEqual(titles(page), ['E', 'A', 'B', 'C', 'D']);
  assert.equal(page.count, 5);
  const all = await list('?a_venir=false');
  assert.deepEqual(titles(all), ['F', 'E', 'A', 'B', 'C', 'D']);
  for (const s of ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'TERMINE', 'ANNULE']) {
    assert.ok(!all.results.some((e) => e.id === ids[s]), s);
  }
  // Staff and the creator do not see unvalidated events in the public list either.
  assert.equal((await list('', staff.headers)).count, 5);
  assert.equal((await list('', alice.headers)).count, 5);
});

test('filters: categorie, type_acces, createur, date range', async () => {
  assert.deepEqual(titles(await list(`?categorie=${cats[0]}`)), ['E', 'A', 'C']);
  assert.deepEqual(titles(await list('?type_acces=PAYANT')), ['B', 'D']);
  assert.deepEqual(titles(await list('?type_acces=GRATUIT')), ['E', 'A', 'C']);
  assert.deepEqual(titles(await list(`?createur=${alice.user.id}`)), ['A', 'B']);
  assert.deepEqual(titles(await list(`?createur=${bob.user.id}&categorie=${cats[0]}`)), ['E', 'C']);
  const d = (n: number) => inDays(n).toISOString().slice(0, 10);
  assert.deepEqual(titles(await list(`?date_debut_apres=${d(5)}`)), ['B', 'C', 'D']);
  assert.deepEqual(titles(await list(`?date_debut_avant=${d(10)}`)), ['E', 'A', 'B'], 'a date-only upper bound includes that day');
  assert.deepEqual(titles(await list(`?date_debut_apres=${d(5)}&date_debut_avant=${d(25)}`)), ['B', 'C']);
  const exact = encodeURIComponent(inDays(10).toISOString());
  assert.deepEqual(titles(await list(`?date_debut_apres=${exact}&date_debut_avant=${exact}`)), ['B'], 'date-times are inclusive');
});

test('bad filters are French 400s', async () => {
  const bad = async (qs: string, field: string) => {
    const r = await ctx.app.inject({ url: `/api/events/${qs}` });
    assert.equal(r.statusCode, 400, qs);
    assert.ok(r.json().details[field], `${qs}: ${r.body}`);
    return r.json().details[field][0] as string;
  };
  assert.equal(await bad('?categorie=abc', 'categorie'), 'Un nombre entier valide est requis.');
  assert.match(await bad('?type_acces=GRATOS', 'type_acces'), /GRATUIT, PAYANT/);
  assert.match(await bad('?date_debut_apres=demain', 'date_debut_apres'), /AAAA-MM-JJ/);
  assert.match(await bad('?date_debut_apres=2026-02-31', 'date_debut_apres'), /Date invalide/);
  // Years below 100 are those years, not 1900–1999.
  assert.equal(parseQueryDate('0050-01-01', false)!.getUTCFullYear(), 50);
  assert.equal(parseQueryDate('2026-03-01', true)!.toISOString(), '2026-03-01T23:59:59.999Z');
  assert.match(await bad('?date_debut_apres=2030-01-10&date_debut_avant=2030-01-01', 'date_debut_avant'), /postérieure/);
  assert.match(await bad('?ordering=prix', 'ordering'), /Tri inconnu « prix »/);
  assert.match(await bad('?near=abidjan', 'near'), /LAT,LNG/);
  assert.match(await bad('?near=95,0', 'near'), /latitude/);
  assert.match(await bad('?radius_km=5', 'radius_km'), /near/);
  assert.ok(await bad('?near=5,-4&radius_km=0', 'radius_km'));
});

test('ordering on date_debut, date_creation, nombre_vues, ascending or descending, combined', async () => {
  assert.deepEqual(titles(await list('?ordering=-date_debut')), ['D', 'C', 'B', 'A', 'E']);
  assert.deepEqual(titles(await list('?ordering=nombre_vues')), ['E', 'C', 'A', 'D', 'B']);
  assert.deepEqual(titles(await list('?ordering=-nombre_vues')), ['B', 'D', 'A', 'C', 'E']);
  assert.deepEqual(titles(await list('?ordering=date_creation')), ['A', 'E', 'C', 'D', 'B']);
  assert.deepEqual(titles(await list('?ordering=-date_creation')), ['B', 'D', 'C', 'E', 'A']);
  // Ties on the first key are broken by the second.
  const db = ctx.database.db;
  await db.update(events).set({ nombreVues: 100 }).where(eq(events.id, ids.a!));
  assert.deepEqual(titles(await list('?ordering=-nombre_vues,-date_debut')), ['B', 'D', 'A', 'C', 'E']);
  assert.deepEqual(titles(await list('?ordering=-nombre_vues,date_debut')), ['B', 'A', 'D', 'C', 'E']);
  await db.update(events).set({ nombreVues: 50 }).where(eq(events.id, ids.a!));
});

test('pagination: page_size, next/previous links, out-of-range page is 404', async () => {
  const p1 = await list('?page_size=2');
  assert.equal(p1.count, 5);
  assert.deepEqual(titles(p1), ['E', 'A']);
  assert.deepEqual(p1.page_info, { current_page: 1, total_pages: 3, page_size: 2 });
  assert.ok(p1.next?.endsWith('/api/events/?page_size=2&page=2'), p1.next ?? '');
  assert.equal(p1.previous, null);
  const p3 = await list('?page_size=2&page=3');
  assert.deepEqual(titles(p3), ['D']);
  assert.equal(p3.next, null);
  const last = await list('?page_size=2&page=last');
  assert.deepEqual(titles(last), ['D']);
  const out = await ctx.app.inject({ url: '/api/events/?page_size=2&page=4' });
  assert.equal(out.statusCode, 404);
  assert.equal(out.json().code, 'invalid_page');
  // Far past the end, even past the database's integers: the same 404.
  for (const page of ['1000000000000000', '99999999999999999999']) {
    const far = await ctx.app.inject({ url: `/api/events/?page=${page}` });
    assert.equal(far.statusCode, 404, page);
    assert.equal(far.json().code, 'invalid_page');
  }
  const filtered = await list(`?page_size=1&page=2&categorie=${cats[0]}&ordering=-date_debut`);
  assert.deepEqual(titles(filtered), ['A']);
  assert.ok(filtered.previous?.includes(`categorie=${cats[0]}`));
});

test('participants_count and is_participating on every listed event', async () => {
  const { db } = ctx.database;
  await db.insert(eventParticipations).values([
    { utilisateurId: viewer.user.id, evenementId: ids.a! },
    { utilisateurId: bob.user.id, evenementId: ids.a! },
    { utilisateurId: viewer.user.id, evenementId: ids.c!, statut: 'ANNULE' },
  ]);
  await db.update(events).set({ participantsCount: 2 }).where(eq(events.id, ids.a!));
  // Written behind the use cases' back: renew the public cache's version as they do after their commit.
  await ctx.runtime.publicCache.bump();
  const mine = await list('', viewer.headers);
  const byId = new Map(mine.results.map((e) => [e.id, e]));
  assert.equal(byId.get(ids.a!)!.participants_count, 2);
  assert.equal(byId.get(ids.a!)!.is_participating, true);
  assert.equal(byId.get(ids.c!)!.is_participating, false, 'a cancelled participation is not participating');
  assert.equal(byId.get(ids.b!)!.is_participating, false);
  const anon = await list();
  assert.ok(anon.results.every((e) => e.is_participating === false));
  assert.equal(anon.results.find((e) => e.id === ids.a)!.participants_count, 2);
});

test('the list costs a fixed number of queries, whatever the page size', async () => {
  // Count statements by wrapping the drivers' entry points (both pools on PostgreSQL) for two requests.
  type Client = { query: (...a: unknown[]) => unknown };
  const clientOf = (d: unknown) => (d as { session: { client: Client } }).session.client;
  const clients = [...new Set([clientOf(ctx.database.db), clientOf(ctx.database.planned)])];
  const originals = clients.map((c) => c.query);
  let calls = 0;
  clients.forEach((client, i) => {
    client.query = function (this: unknown, ...args: unknown[]) {
      calls++;
      return originals[i]!.apply(this, args);
    };
  });
  try {
    await list('?page_size=1', viewer.headers);
    const small = calls;
    calls = 0;
    await list('?page_size=100', viewer.headers);
    assert.equal(calls, small, `page of 1: ${small} queries, page of 5: ${calls}`);
    assert.ok(small >= 2 && small <= 4, `${small} queries`);
  } finally {
    clients.forEach((client, i) => (client.query = originals[i]!));
  }
});

test('detail: unvalidated events are 404 for others, visible to their creator and staff; TERMINE and a published ANNULE are public', async () => {
  // ids.ANNULE was cancelled before it was ever validated: like a draft, its creator's and staff's only.
  for (const s of ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'ANNULE'] as const) {
    const url = `/api/events/${ids[s]}/`;
    assert.equal((await ctx.app.inject({ url })).statusCode, 404, `${s} anonymous`);
    const r = await ctx.app.inject({ url, headers: bob.headers });
    assert.equal(r.statusCode, 404, `${s} other user`);
    assert.deepEqual(r.json(), { error: 'Événement introuvable', code: 'not_found' });
    assert.equal((await ctx.app.inject({ url, headers: alice.headers })).statusCode, 200, `${s} creator`);
    assert.equal((await ctx.app.inject({ url, headers: staff.headers })).statusCode, 200, `${s} staff`);
  }
  const published = await insertEvent(ctx.database.db, bob.user.id, {
    statut: 'ANNULE',
    dateValidation: new Date(Date.now() - 86_400_000),
  });
  for (const [s, id] of [
    ['TERMINE', ids.TERMINE!],
    ['ANNULE', published],
  ] as const) {
    const r = await ctx.app.inject({ url: `/api/events/${id}/` });
    assert.equal(r.statusCode, 200, s);
    assert.equal(r.json().statut, s);
    // The same rule for its ticket types (they were a 404 while the page was public).
    assert.equal((await ctx.app.inject({ url: `/api/events/${id}/ticket-types/` })).statusCode, 200, `${s} ticket types`);
  }
  assert.equal((await ctx.app.inject({ url: '/api/events/999999/' })).statusCode, 404);
  // Not an id: no such path, as DRF's `<int:pk>` does not match (issue 18).
  assert.equal((await ctx.app.inject({ url: '/api/events/abc/' })).statusCode, 404);
});

test('mine: every status of the caller, newest first, with counts per status', async () => {
  const r = await ctx.app.inject({ url: '/api/events/mine/', headers: alice.headers });
  assert.equal(r.statusCode, 200);
  const body = r.json();
  assert.equal(body.count, 7);
  assert.deepEqual(body.counts, { BROUILLON: 1, EN_ATTENTE: 1, VALIDE: 2, REJETE: 1, TERMINE: 1, ANNULE: 1 });
  assert.ok(body.results.every((e: { createur: { id: number } }) => e.createur.id === alice.user.id));
  const filtered = await ctx.app.inject({ url: '/api/events/mine/?statut=VALIDE', headers: alice.headers });
  assert.equal(filtered.json().count, 2);
  assert.equal((await ctx.app.inject({ url: '/api/events/mine/' })).statusCode, 401);
});

test('feed: upcoming validated events of the organizers I follow', async () => {
  const r0 = await ctx.app.inject({ url: '/api/events/feed/', headers: viewer.headers });
  assert.equal(r0.json().count, 0);
  await ctx.database.db.insert(follows).values({ followerId: viewer.user.id, followedId: bob.user.id });
  const r = await ctx.app.inject({ url: '/api/events/feed/', headers: viewer.headers });
  assert.deepEqual(titles(r.json()), ['E', 'C', 'D']);
  assert.equal((await ctx.app.inject({ url: '/api/events/feed/' })).statusCode, 401);
});

test('the total count and the page agree under concurrent reads', async () => {
  const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => list(`?page_size=1&page=${(i % 5) + 1}`)));
  assert.ok(pages.every((p) => p.count === 5 && p.results.length === 1));
  const n = await ctx.database.db.select({ n: sql<number>`count(*)::int` }).from(events);
  assert.ok(Number(n[0]!.n) >= 11);
});
