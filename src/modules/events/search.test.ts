/** Search (accents, case, typos, relevance) and nearby events (distance, radius, ordering). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../test/context.js';
import { categoryIds, inDays, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { eq, sql } from 'drizzle-orm';
import { eventSearchWords } from './tables.js';

let ctx: TestContext;
let cats: number[];
const ids: Record<string, number> = {};

const PLATEAU = [5.323, -4.0176] as const;
const COCODY = [5.3599, -3.987] as const;
const BOUAKE = [7.6906, -5.0304] as const;

before(async () => {
  ctx = await createTestContext();
  const { db } = ctx.database;
  cats = await categoryIds(db);
  const org = await createUserWithToken(db);
  const add = (key: string, o: Parameters<typeof insertEvent>[2]) => insertEvent(db, org.user.id, o).then((id) => (ids[key] = id));
  await add('civ', {
    titre: "Festival en Côte d'Ivoire",
    lieu: 'Grand-Bassam',
    description: 'Musique et danse au bord de la mer.',
    dateDebut: inDays(4),
    categorieId: cats[1],
  });
  await add('zouglou', {
    titre: 'Soirée Zouglou',
    lieu: 'Yopougon',
    description: 'Les meilleurs groupes du moment.',
    dateDebut: inDays(8),
    categorieId: cats[0],
  });
  await add('tech', {
    titre: 'Conférence Tech',
    lieu: 'Plateau',
    description: 'Une pause zouglou est prévue entre deux exposés.',
    dateDebut: inDays(2),
    categorieId: cats[4],
  });
  await add('noel', {
    titre: 'Marché de Noël',
    lieu: 'Cocody',
    description: 'Artisanat et gourmandises.',
    dateDebut: inDays(12),
    categorieId: cats[8],
  });
  await add('hidden', {
    titre: 'Zouglou en attente',
    lieu: 'Yopougon',
    description: 'Pas encore validé.',
    statut: 'EN_ATTENTE',
    dateDebut: inDays(3),
  });
  await add('plateau', { titre: 'Afterwork', lieu: 'Plateau', latitude: PLATEAU[0], longitude: PLATEAU[1], dateDebut: inDays(6) });
  await add('cocody', { titre: 'Brunch', lieu: 'Cocody', latitude: COCODY[0], longitude: COCODY[1], dateDebut: inDays(5) });
  await add('bouake', { titre: 'Carnaval', lieu: 'Bouaké', latitude: BOUAKE[0], longitude: BOUAKE[1], dateDebut: inDays(7) });
  await add('bouakePending', {
    titre: 'Carnaval bis',
    lieu: 'Bouaké',
    latitude: BOUAKE[0],
    longitude: BOUAKE[1],
    statut: 'EN_ATTENTE',
    dateDebut: inDays(7),
  });
  await add('past', {
    titre: 'Brunch passé',
    lieu: 'Cocody',
    latitude: COCODY[0],
    longitude: COCODY[1],
    dateDebut: new Date(Date.now() - 10 * 3_600_000),
    dateFin: new Date(Date.now() - 3_600_000),
  });
});
after(() => ctx.close());

const search = async (qs: string) => {
  const r = await ctx.app.inject({ url: `/api/events/?${qs}` });
  assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
  return r.json() as { count: number; results: { id: number; titre: string; distance_km?: number }[] };
};
const found = async (q: string, extra = '') => (await search(`search=${encodeURIComponent(q)}${extra}`)).results.map((e) => e.id);

test('accents and case do not matter: "cote divoire" finds "Côte d\'Ivoire"', async () => {
  for (const q of ['cote divoire', "Côte d'Ivoire", 'COTE D’IVOIRE', 'côte', 'IVOIRE']) {
    assert.deepEqual(await found(q), [ids.civ], q);
  }
  assert.deepEqual(await found('soiree'), [ids.zouglou]);
  assert.deepEqual(await found('marche noel'), [ids.noel]);
  assert.deepEqual(await found('conference'), [ids.tech]);
});

test('small typos are tolerated: "zouglo" finds "zouglou", "festivl" finds "Festival"', async () => {
  assert.deepEqual(new Set(await found('zouglo')), new Set([ids.zouglou, ids.tech]));
  assert.deepEqual(await found('festivl'), [ids.civ]);
  assert.deepEqual(await found('yopugon'), [ids.zouglou]);
  assert.deepEqual(await found('xylophone'), []);
});

test('titre, description and lieu are all searched; every term must match', async () => {
  assert.deepEqual(await found('Grand-Bassam'), [ids.civ], 'lieu');
  assert.deepEqual(await found('artisanat'), [ids.noel], 'description');
  assert.deepEqual(await found('zouglou yopougon'), [ids.zouglou]);
  assert.deepEqual(await found('zouglou plateau'), [ids.tech]);
  assert.deepEqual(await found('zouglou, cocody'), []);
});

test('ranked by relevance without ordering: a title match before a description match', async () => {
  assert.deepEqual(await found('zouglou'), [ids.zouglou, ids.tech]);
  // With an explicit ordering, the ordering wins.
  assert.deepEqual(await found('zouglou', '&ordering=date_debut'), [ids.tech, ids.zouglou]);
});

test('search combines with filters and ordering; unvalidated events never match', async () => {
  assert.deepEqual(await found('zouglou', `&categorie=${cats[0]}&ordering=-date_debut`), [ids.zouglou]);
  assert.deepEqual(await found('zouglou', '&type_acces=PAYANT'), []);
  assert.ok(!(await found('attente')).includes(ids.hidden!));
  assert.ok(!(await found('carnaval')).includes(ids.bouakePending!));
});

test('words of a new or edited event are known at once: typos of them match', async () => {
  const { db } = ctx.database;
  const org = await createUserWithToken(db);
  const id = await insertEvent(db, org.user.id, { titre: 'Atelier', description: 'Initiation.', dateDebut: inDays(9) });
  await db.execute(sql`UPDATE events SET titre = 'Atelier kpanlogo' WHERE id = ${id}`);
  const words = await db.select().from(eventSearchWords).where(eq(eventSearchWords.word, 'kpanlogo'));
  assert.equal(words.length, 1, 'the trigger recorded the new word');
  assert.deepEqual(await found('kpanlogp'), [id]);
  assert.deepEqual(await found('kpnlogo'), [id]);
  assert.deepEqual(await found('zzzzzz'), []);
});

test('odd input is harmless: wildcards, quotes, blank, long', async () => {
  assert.deepEqual(await found('%'), []);
  assert.deepEqual(await found('_'), []);
  assert.deepEqual(await found("'; DROP TABLE events; --"), []);
  const all = (await search('')).count;
  assert.equal((await search('search=')).count, all, 'blank search is no search');
  assert.equal((await search('search=%20%20')).count, all);
  assert.equal((await search(`search=${encodeURIComponent("''")}`)).count, all, 'a term of apostrophes only is dropped');
  const long = await ctx.app.inject({ url: `/api/events/?search=${'a'.repeat(201)}` });
  assert.equal(long.statusCode, 400);
  assert.deepEqual(long.json().details.search, ['Assurez-vous que ce champ comporte au plus 200 caractères.']);
});

/** Great-circle distance on the sphere earthdistance uses (radius 6378168 m). */
function km(a: readonly [number, number], b: readonly [number, number]): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(r(b[0] - a[0]) / 2) ** 2 + Math.cos(r(a[0])) * Math.cos(r(b[0])) * Math.sin(r(b[1] - a[1]) / 2) ** 2;
  return 2 * 6378.168 * Math.asin(Math.sqrt(h));
}

test('nearby: within the radius, nearest first, with distance_km', async () => {
  const near = `near=${PLATEAU[0]},${PLATEAU[1]}`;
  let page = await search(`${near}&radius_km=1`);
  assert.deepEqual(
    page.results.map((e) => e.id),
    [ids.plateau],
  );
  assert.equal(page.results[0]!.distance_km, 0);

  page = await search(`${near}&radius_km=10`);
  assert.deepEqual(
    page.results.map((e) => e.id),
    [ids.plateau, ids.cocody],
  );
  const expected = km(PLATEAU, COCODY);
  assert.ok(expected > 4 && expected < 8, String(expected));
  assert.ok(Math.abs(page.results[1]!.distance_km! - expected) < 0.05, `${page.results[1]!.distance_km} vs ${expected}`);

  page = await search(`${near}&radius_km=500`);
  assert.deepEqual(
    page.results.map((e) => e.id),
    [ids.plateau, ids.cocody, ids.bouake],
    'pending and past events excluded',
  );
  assert.ok(Math.abs(page.results[2]!.distance_km! - km(PLATEAU, BOUAKE)) < 0.5);
  assert.equal(page.count, 3);
});

test('nearby: default radius 10 km, events without coordinates never match, ordering and filters apply', async () => {
  const near = `near=${PLATEAU[0]},${PLATEAU[1]}`;
  assert.deepEqual(
    (await search(near)).results.map((e) => e.id),
    [ids.plateau, ids.cocody],
  );
  assert.deepEqual(
    (await search(`${near}&radius_km=500&ordering=-date_debut`)).results.map((e) => e.id),
    [ids.bouake, ids.plateau, ids.cocody],
  );
  assert.deepEqual(
    (await search(`${near}&radius_km=500&search=brunch`)).results.map((e) => e.id),
    [ids.cocody],
  );
  assert.deepEqual(
    (await search(`near=${BOUAKE[0]},${BOUAKE[1]}&radius_km=5`)).results.map((e) => e.id),
    [ids.bouake],
  );
  // Far from everything.
  assert.equal((await search('near=48.85,2.35&radius_km=100')).count, 0);
  // No distance_km without near.
  assert.ok((await search('')).results.every((e) => e.distance_km === undefined));
});

test('nearby pages: consecutive pages list every event within the radius once, nearest first', async () => {
  const { db } = ctx.database;
  const org = await createUserWithToken(db);
  // 25 events due north of a point in the sea, 200 m apart (two at the very same place), then far ones.
  const origin = [4.0, -5.0] as const;
  const made: number[] = [];
  for (let i = 0; i < 25; i++) {
    const lat = origin[0] + (i === 1 ? 0 : i) * 0.0018;
    made.push(await insertEvent(db, org.user.id, { titre: `Plage ${i}`, latitude: lat, longitude: origin[1], dateDebut: inDays(3) }));
  }
  await insertEvent(db, org.user.id, { titre: 'Loin', latitude: origin[0] + 1, longitude: origin[1], dateDebut: inDays(3) });
  const seen: number[] = [];
  let last = -1;
  for (let page = 1; page <= 4; page++) {
    const r = await ctx.app.inject({ url: `/api/events/?near=${origin[0]},${origin[1]}&radius_km=6&page_size=7&page=${page}` });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.equal(body.count, 25);
    for (const e of body.results) {
      assert.ok(e.distance_km >= last, 'nearest first across pages');
      last = e.distance_km;
      seen.push(e.id);
    }
  }
  assert.equal(seen.length, 25);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [...made].sort((a, b) => a - b),
  );
  // Nothing near: an empty first page, not an error.
  const empty = await ctx.app.inject({ url: `/api/events/?near=${origin[0] - 2},${origin[1] - 2}&radius_km=5` });
  assert.equal(empty.json().count, 0);
  assert.deepEqual(empty.json().results, []);
});
