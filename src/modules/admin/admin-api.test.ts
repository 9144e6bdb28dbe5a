import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createUser } from '../../test/users.js';
import { categoryIds, DAY, createPaidEvent, insertEvent, inDays } from '../../test/events.js';
import { createPaidPurchase } from '../../test/payments.js';
import { signInStaff, type BrowserSession } from '../../test/admin.js';
import { auditLogs } from '../../core/audit.js';
import { payments, refunds } from '../payments/tables.js';
import { eventCategories, events } from '../events/tables.js';
import { users } from '../users/tables.js';
import { cleanupOldData } from '../maintenance/service.js';
import { csvField } from './events.js';

const PASSWORD = 'Soleil-Abidjan-2024';
let ctx: TestContext;
let staff: BrowserSession;
let staffId: number;
let boss: BrowserSession;
before(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000' } });
  const s = await createUser(ctx.database.db, { password: PASSWORD, isStaff: true, username: 'moderatrice' });
  staffId = s.id;
  staff = await signInStaff(ctx.app, s.username, PASSWORD);
  const b = await createUser(ctx.database.db, { password: PASSWORD, isSuperuser: true, username: 'patronne' });
  boss = await signInStaff(ctx.app, b.username, PASSWORD);
});
after(() => ctx.close());

const get = (url: string, s: BrowserSession = staff) => ctx.app.inject({ url, headers: s.read });
const post = (url: string, payload: object, s: BrowserSession = staff) =>
  ctx.app.inject({ method: 'POST', url, payload, headers: s.write });

/** A successful payment of `montant` finalized at `when`, optionally refunded (completed) at `refundedAt`. */
async function money(eventId: number, buyerId: number, montant: number, when: Date, refundedAt?: Date) {
  const [p] = await ctx.database.db
    .insert(payments)
    .values({
      reference: `SV-${randomUUID().slice(0, 12)}`,
      utilisateurId: buyerId,
      evenementId: eventId,
      montant,
      fournisseur: 'WAVE',
      telephone: '+2250100000010',
      statut: refundedAt ? 'REMBOURSE' : 'REUSSI',
      referenceFournisseur: randomUUID(),
      expireLe: when,
      dateCreation: when,
      dateFinalisation: when,
    })
    .returning();
  if (refundedAt) {
    await ctx.database.db.insert(refunds).values({
      paymentId: p!.id,
      montant,
      statut: 'REUSSI',
      motif: 'Annulation',
      referenceFournisseur: randomUUID(),
      dateFinalisation: refundedAt,
    });
  }
  return p!;
}

describe('GET /api/admin/stats/ (the dashboard)', () => {
  test("the manual's figures, net of refunds, 30 days with zero days, newest pending events and users", async () => {
    const before = (await get('/api/admin/stats/')).json();
    const org = await createUser(ctx.database.db, { firstName: 'Koffi' });
    const buyer = await createUser(ctx.database.db);
    const deleted = await createUser(ctx.database.db);
    await ctx.database.db.update(users).set({ dateSuppression: new Date() }).where(eq(users.id, deleted.id));
    const valide = await insertEvent(ctx.database.db, org.id, { statut: 'VALIDE', typeAcces: 'PAYANT', prix: 5000 });
    const pending = await insertEvent(ctx.database.db, org.id, { statut: 'EN_ATTENTE', titre: 'Nouveau festival' });
    // Pending but already over: the queue leaves it out, so does the figure.
    await insertEvent(ctx.database.db, org.id, { statut: 'EN_ATTENTE', dateDebut: inDays(-3), dateFin: inDays(-2) });
    const today = new Date();
    const fiveDaysAgo = new Date(Date.now() - 5 * DAY);
    await money(valide, buyer.id, 15000, today);
    await money(valide, buyer.id, 10000, fiveDaysAgo, today); // paid 5 days ago, refunded today
    await money(valide, buyer.id, 7000, new Date(Date.now() - 40 * DAY)); // before the chart's window
    // Paid before the chart's window, its refund under way: in the gross, not cashed (issue 12).
    const refunding = await money(valide, buyer.id, 4000, new Date(Date.now() - 40 * DAY));
    await ctx.database.db
      .insert(refunds)
      .values({ paymentId: refunding.id, montant: 4000, statut: 'EN_COURS', motif: 'Annulation', referenceFournisseur: randomUUID() });

    const r = await get('/api/admin/stats/');
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json();
    assert.equal(s.total_users, before.total_users + 2, 'a deleted account is no user');
    assert.equal(s.total_events, before.total_events + 1);
    assert.equal(s.pending_events, before.pending_events + 1);
    assert.equal(s.total_revenue - before.total_revenue, 15000 + 7000, 'successful payments less refunds');
    assert.deepEqual(s.revenue, {
      brut: before.revenue.brut + 36000,
      rembourse: before.revenue.rembourse + 10000,
      rembourse_en_cours: before.revenue.rembourse_en_cours + 4000,
      net: s.total_revenue,
    });
    assert.equal(s.subscriptions_revenue, 0);
    assert.deepEqual(
      s.events_stats.map((x: { statut: string }) => x.statut),
      ['BROUILLON', 'EN_ATTENTE', 'VALIDE', 'REJETE', 'TERMINE', 'ANNULE'],
    );
    assert.equal(s.revenue_data.length, 30);
    const iso = (d: Date) => d.toISOString().slice(0, 10);
    assert.equal(s.revenue_data.at(-1).date, iso(today));
    assert.equal(s.revenue_data[0].date, iso(new Date(Date.now() - 29 * DAY)));
    const byDay = new Map(s.revenue_data.map((x: { date: string; montant: number }) => [x.date, x.montant]));
    assert.equal(byDay.get(iso(today)), 15000 - 10000, 'money in today, the refund out today');
    assert.equal(byDay.get(iso(fiveDaysAgo)), 10000);
    assert.equal(byDay.get(iso(new Date(Date.now() - 10 * DAY))), 0, 'a day without money is a zero row');
    assert.equal(s.recent_events[0].id, pending);
    assert.equal(s.recent_events[0].createur.username, org.username);
    assert.ok(s.recent_events.length <= 10);
    assert.equal(s.recent_users[0].id, buyer.id, 'newest first, deleted accounts left out');
    assert.ok(!s.recent_users.some((u: { id: number }) => u.id === deleted.id));
    assert.match(s.recent_users[0].email_masque, /\*\*\*/);
  });

  test('staff only', async () => {
    assert.equal((await ctx.app.inject({ url: '/api/admin/stats/' })).statusCode, 401);
    const u = await createUser(ctx.database.db, { password: PASSWORD });
    const r = await ctx.app.inject({ method: 'POST', url: '/api/admin/session/', payload: { login: u.username, password: PASSWORD } });
    assert.equal(r.statusCode, 403);
  });
});

describe('EventAdmin: /api/admin/events/', () => {
  let concert: number;
  let atelier: number;
  before(async () => {
    const org = await createUser(ctx.database.db, { username: 'organisatrice-ea' });
    const [c1, c2] = await categoryIds(ctx.database.db);
    const paid = await createPaidEvent(ctx.database.db, org.id, { prix: 5000 });
    concert = paid.event.id;
    await ctx.database.db.update(events).set({ titre: 'Concert de Zouglou à Yopougon', categorieId: c1! }).where(eq(events.id, concert));
    const buyer = await createUser(ctx.database.db);
    await createPaidPurchase(ctx.database.db, { buyerId: buyer.id, eventId: concert, typeId: paid.types[0]!.id, quantite: 3 });
    // A sale whose refund is under way: not in the event's net revenue (issue 12).
    const refunding = await createPaidPurchase(ctx.database.db, { buyerId: buyer.id, eventId: concert, typeId: paid.types[0]!.id });
    await ctx.database.db.insert(refunds).values({
      paymentId: refunding.paymentId,
      montant: 5000,
      statut: 'EN_ATTENTE',
      motif: 'Geste commercial',
      referenceFournisseur: randomUUID(),
    });
    atelier = await insertEvent(ctx.database.db, org.id, {
      statut: 'EN_ATTENTE',
      titre: '=HYPERLINK("x") Atelier; "couture"',
      description: 'Apprendre le pagne tissé',
      lieu: 'Bouaké',
      categorieId: c2!,
      dateCreation: new Date('2026-03-10T10:00:00Z'),
    });
  });

  test('columns of the manual (organizer, category, participants, net revenue) and every status', async () => {
    const r = await get(
      `/api/admin/events/?createur=${(await ctx.database.db.select().from(users).where(eq(users.username, 'organisatrice-ea')))[0]!.id}`,
    );
    assert.equal(r.statusCode, 200, r.body);
    const rows = r.json().results;
    assert.equal(r.json().count, 2);
    const c = rows.find((e: { id: number }) => e.id === concert);
    assert.equal(c.recettes, 15000);
    assert.equal(c.createur.username, 'organisatrice-ea');
    assert.ok(c.categorie.nom);
    assert.ok(rows.some((e: { id: number; statut: string }) => e.id === atelier && e.statut === 'EN_ATTENTE'));
  });

  test('filters (status, category, access type, creation date), search over title, description and place, ordering', async () => {
    const ids = async (qs: string) => {
      const r = await get(`/api/admin/events/?page_size=100&${qs}`);
      assert.equal(r.statusCode, 200, `${qs}: ${r.body}`);
      return r.json().results.map((e: { id: number }) => e.id) as number[];
    };
    assert.ok((await ids('statut=EN_ATTENTE')).includes(atelier));
    assert.ok(!(await ids('statut=EN_ATTENTE')).includes(concert));
    assert.ok((await ids('type_acces=PAYANT')).includes(concert));
    assert.ok(!(await ids('type_acces=PAYANT')).includes(atelier));
    const [, c2] = await categoryIds(ctx.database.db);
    assert.ok((await ids(`categorie=${c2}`)).includes(atelier));
    assert.deepEqual(await ids('date_creation_apres=2026-03-10&date_creation_avant=2026-03-10'), [atelier]);
    assert.deepEqual(await ids('search=yopougon'), [concert], 'title, without case');
    assert.deepEqual(await ids('search=tisse'), [atelier], 'description, without accents');
    assert.deepEqual(await ids('search=BOUAKE'), [atelier], 'place');
    const asc = await ids('ordering=titre');
    const desc = await ids('ordering=-titre');
    assert.deepEqual(asc, [...desc].reverse());
    const bad = await get('/api/admin/events/?ordering=mot_de_passe');
    assert.equal(bad.statusCode, 400);
    const badDates = await get('/api/admin/events/?date_creation_apres=2026-03-10&date_creation_avant=2026-03-01');
    assert.equal(badDates.statusCode, 400);
    assert.ok(badDates.json().details.date_creation_avant);
  });

  test('CSV export of the same selection: French spreadsheet format, formula injection defused', async () => {
    const r = await get('/api/admin/events/export/?statut=EN_ATTENTE&search=couture');
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(String(r.headers['content-disposition']), /attachment; filename="spotvibe-evenements-\d{4}-\d{2}-\d{2}\.csv"/);
    const [head, line, ...rest] = r.body.split('\r\n');
    assert.equal(
      head,
      '\ufeffid;titre;organisateur;categorie;date_debut;date_fin;statut;type_acces;prix_xof;participants;capacite;recettes_xof;lieu;date_creation',
    );
    assert.deepEqual(rest, ['']);
    assert.ok(line!.startsWith(`${atelier};"'=HYPERLINK(""x"") Atelier; ""couture""";organisatrice-ea;`), line);
    const all = await get('/api/admin/events/export/');
    assert.equal(all.body.split('\r\n').length - 2, (await get('/api/admin/events/')).json().count, 'every page');
    assert.equal(csvField('-2+3'), "'-2+3");
    assert.equal(csvField(-5), '-5');
  });

  test("one event's staff view: full content, organizer with their record, journal", async () => {
    const r = await get(`/api/admin/events/${atelier}/`);
    assert.equal(r.statusCode, 200, r.body);
    const e = r.json();
    assert.equal(e.description, 'Apprendre le pagne tissé');
    assert.equal(e.organisateur.username, 'organisatrice-ea');
    assert.equal(e.organisateur.nombre_evenements, 2);
    assert.match(e.organisateur.email_masque, /\*/);
    assert.deepEqual(e.journal, []);
    assert.equal((await get('/api/admin/events/999999/')).statusCode, 404);
  });
});

describe('bulk moderation (the manual approve_events action)', () => {
  test('approves each pending event, reports those it cannot, journals each with before/after', async () => {
    const org = await createUser(ctx.database.db);
    const a = await insertEvent(ctx.database.db, org.id, { statut: 'EN_ATTENTE', titre: 'A' });
    const b = await insertEvent(ctx.database.db, org.id, { statut: 'EN_ATTENTE', titre: 'B' });
    const done = await insertEvent(ctx.database.db, org.id, { statut: 'VALIDE', titre: 'C' });
    const r = await post('/api/admin/events/bulk-approve/', { ids: [a, b, done, 999999, a] });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.deepEqual(body.traites, [a, b]);
    assert.deepEqual(
      body.ignores.map((x: { id: number }) => x.id),
      [done, 999999],
    );
    assert.match(body.ignores[0].raison, /au statut « Validé »/);
    assert.equal(body.message, '2 événements approuvés, 2 ignorés.');
    for (const id of [a, b]) {
      assert.equal((await ctx.database.db.select().from(events).where(eq(events.id, id)))[0]!.statut, 'VALIDE');
      const pub = await ctx.app.inject({ url: `/api/events/${id}/` });
      assert.equal(pub.statusCode, 200, 'public through the API');
    }
    const journal = (await get(`/api/admin/journal/?cible=event:${a}`)).json().results;
    assert.equal(journal.length, 1);
    assert.equal(journal[0].libelle, 'Événement validé');
    assert.equal(journal[0].utilisateur.id, staffId);
    assert.deepEqual(journal[0].details.avant, { statut: 'EN_ATTENTE' });
    assert.deepEqual(journal[0].details.apres, { statut: 'VALIDE' });
  });

  test('bulk reject needs a reason; each organizer sees it', async () => {
    const org = await createUser(ctx.database.db);
    const a = await insertEvent(ctx.database.db, org.id, { statut: 'EN_ATTENTE' });
    const short = await post('/api/admin/events/bulk-reject/', { ids: [a], motif: 'non' });
    assert.equal(short.statusCode, 400);
    const blank = await post('/api/admin/events/bulk-reject/', { ids: [a], motif: '        ' });
    assert.equal(blank.statusCode, 400);
    assert.ok(blank.json().details.motif);
    const r = await post('/api/admin/events/bulk-reject/', { ids: [a], motif: 'Affiche illisible, merci de la remplacer.' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().message, '1 événement rejeté.');
    const [ev] = await ctx.database.db.select().from(events).where(eq(events.id, a));
    assert.equal(ev!.statut, 'REJETE');
    assert.equal(ev!.motifRejet, 'Affiche illisible, merci de la remplacer.');
    assert.equal((await post('/api/admin/events/bulk-approve/', { ids: [] })).statusCode, 400);
    assert.equal(
      (await post('/api/admin/events/bulk-approve/', { ids: Array.from({ length: 101 }, (_, i) => i + 1) })).statusCode,
      400,
      'at most 100',
    );
  });
});

describe('categories: /api/admin/categories/', () => {
  test('create (slug from the name), edit, delete when unused, deactivate when used; journal', async () => {
    const r = await post('/api/admin/categories/', { nom: 'Éducation & Savoirs', couleur: '#123ABC' });
    assert.equal(r.statusCode, 201, r.body);
    const cat = r.json();
    assert.equal(cat.slug, 'education-savoirs');
    assert.equal(cat.couleur, '#123abc');
    assert.equal(cat.actif, true);
    const dup = await post('/api/admin/categories/', { nom: 'Éducation & Savoirs' });
    assert.equal(dup.statusCode, 400);
    assert.deepEqual(Object.keys(dup.json().details), ['nom']);
    const badSlug = await post('/api/admin/categories/', { nom: 'Autre', slug: 'Pas Bien' });
    assert.equal(badSlug.statusCode, 400);

    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/admin/categories/${cat.id}/`,
      headers: staff.write,
      payload: { description: 'Cours et conférences' },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.equal(patch.json().description, 'Cours et conférences');
    const [upd] = await ctx.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'categorie.update'), eq(auditLogs.cible, `categorie:${cat.id}`)));
    assert.deepEqual(upd!.details, {
      nom: 'Éducation & Savoirs',
      avant: { description: '' },
      apres: { description: 'Cours et conférences' },
    });

    // Used by an event: deactivated, never deleted; the public list no longer offers it.
    const org = await createUser(ctx.database.db);
    await insertEvent(ctx.database.db, org.id, { categorieId: cat.id });
    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/admin/categories/${cat.id}/`, headers: staff.write });
    assert.equal(del.statusCode, 200, del.body);
    assert.equal(del.json().supprimee, false);
    assert.equal(del.json().categorie.actif, false);
    assert.match(del.json().message, /désactivée : 1 événement l’utilise/);
    assert.equal((await ctx.database.db.select().from(eventCategories).where(eq(eventCategories.id, cat.id))).length, 1);
    const pub = (await ctx.app.inject({ url: '/api/events/categories/' })).json();
    assert.ok(!(Array.isArray(pub) ? pub : pub.results).some((c: { id: number }) => c.id === cat.id));

    const unused = (await post('/api/admin/categories/', { nom: 'Éphémère' })).json();
    const gone = await ctx.app.inject({ method: 'DELETE', url: `/api/admin/categories/${unused.id}/`, headers: staff.write });
    assert.equal(gone.json().supprimee, true);
    assert.equal((await get(`/api/admin/categories/${unused.id}/`)).statusCode, 404);
    const list = (await get('/api/admin/categories/?actif=false')).json();
    assert.ok(list.results.some((c: { id: number; nombre_evenements: number }) => c.id === cat.id && c.nombre_evenements === 1));
    const actions = (await get(`/api/admin/journal/?personnel=true&utilisateur=${staffId}`))
      .json()
      .results.map((e: { action: string }) => e.action);
    for (const a of ['categorie.create', 'categorie.update', 'categorie.deactivate', 'categorie.delete']) assert.ok(actions.includes(a), a);
  });
});

describe('accounts: page, staff flag, data requests', () => {
  test("an account's page: its events, payments and audit trail", async () => {
    const u = await createUser(ctx.database.db, { firstName: 'Aya' });
    const ev = await insertEvent(ctx.database.db, u.id, { titre: 'Son événement' });
    await money(ev, u.id, 2500, new Date());
    await post(`/api/admin/users/${u.id}/deactivate/`, { motif: 'Vérification' });
    const r = await get(`/api/admin/users/${u.id}/`);
    assert.equal(r.statusCode, 200, r.body);
    const d = r.json();
    assert.equal(d.first_name, 'Aya');
    assert.equal(d.is_active, false);
    assert.deepEqual(
      d.evenements.map((e: { id: number }) => e.id),
      [ev],
    );
    assert.equal(d.paiements[0].montant, 2500);
    assert.equal(d.paiements[0].evenement, 'Son événement');
    assert.equal(d.total_paye, 2500);
    assert.equal(d.journal[0].action, 'staff_desactivation');
    assert.equal(d.journal[0].details.motif, 'Vérification');
  });

  test('the staff flag: superusers only, not on oneself, journaled', async () => {
    const u = await createUser(ctx.database.db);
    const denied = await post(`/api/admin/users/${u.id}/staff/`, { is_staff: true });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'superuser_only');
    const r = await post(`/api/admin/users/${u.id}/staff/`, { is_staff: true }, boss);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().is_staff, true);
    const [log] = await ctx.database.db
      .select()
      .from(auditLogs)
      .where(eq(auditLogs.cible, `user:${u.id}`));
    assert.equal(log!.action, 'staff_acces_donne');
    assert.equal(log!.parPersonnel, true);
    assert.deepEqual(log!.details, { avant: { is_staff: false }, apres: { is_staff: true } });
  });

  test('export and erasure requests: journaled with the reason; erasure needs the typed confirmation', async () => {
    const u = await createUser(ctx.database.db, { firstName: 'Fanta' });
    const ex = await post(`/api/admin/users/${u.id}/export/`, { motif: 'Demande par e-mail du 3 mars' });
    assert.equal(ex.statusCode, 200, ex.body);
    assert.equal(ex.json().profil.first_name, 'Fanta');
    assert.match(String(ex.headers['content-disposition']), new RegExp(`spotvibe-donnees-${u.id}\\.json`));
    const [exLog] = await ctx.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'export_donnees'), eq(auditLogs.cible, `user:${u.id}`)));
    assert.equal(exLog!.userId, staffId);
    assert.equal(exLog!.parPersonnel, true);

    const noConfirm = await post(`/api/admin/users/${u.id}/erase/`, { motif: 'Demande RGPD', confirmation: 'oui' });
    assert.equal(noConfirm.statusCode, 400);
    assert.ok(noConfirm.json().details.confirmation);
    const er = await post(`/api/admin/users/${u.id}/erase/`, { motif: 'Demande RGPD', confirmation: 'SUPPRIMER' });
    assert.equal(er.statusCode, 200, er.body);
    assert.equal(er.json().supprime, true);
    assert.equal(er.json().first_name, '');
    const [erLog] = await ctx.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'compte_supprime'), eq(auditLogs.cible, `user:${u.id}`)));
    assert.equal(erLog!.userId, staffId);
    assert.deepEqual(erLog!.details, { par_le_personnel: true, motif: 'Demande RGPD' });

    // A staff account's data requests are a superuser's.
    const colleague = await createUser(ctx.database.db, { isStaff: true });
    assert.equal((await post(`/api/admin/users/${colleague.id}/export/`, { motif: 'Demande' })).statusCode, 403);
    assert.equal((await post(`/api/admin/users/${colleague.id}/export/`, { motif: 'Demande' }, boss)).statusCode, 200);
  });
});

describe('the journal', () => {
  test('refund retry and settlement are staff actions in the journal', async () => {
    const org = await createUser(ctx.database.db);
    const buyer = await createUser(ctx.database.db);
    const ev = await insertEvent(ctx.database.db, org.id, { typeAcces: 'PAYANT', prix: 3000 });
    const p = await money(ev, buyer.id, 3000, new Date());
    const [r] = await ctx.database.db
      .insert(refunds)
      .values({ paymentId: p.id, montant: 3000, statut: 'ECHOUE', motif: 'Annulation', referenceFournisseur: randomUUID() })
      .returning();
    const retry = await post(`/api/admin/refunds/${r!.id}/retry/`, {});
    assert.equal(retry.statusCode, 200, retry.body);
    await ctx.database.db.update(refunds).set({ statut: 'REMBOURSEMENT_MANUEL' }).where(eq(refunds.id, r!.id));
    const settle = await post(`/api/admin/refunds/${r!.id}/settle/`, {});
    assert.equal(settle.statusCode, 200, settle.body);
    const entries = (await get(`/api/admin/journal/?cible=refund:${r!.id}`)).json().results;
    assert.deepEqual(
      entries.map((e: { action: string }) => e.action),
      ['refund.settle', 'refund.retry'],
    );
    assert.deepEqual(entries[0].details.apres, { statut: 'REUSSI' });
    assert.equal(entries[0].libelle, 'Remboursement manuel réglé');
  });

  test('the 30-day cleanup keeps the staff journal and prunes the rest', async () => {
    const old = new Date(Date.now() - 60 * DAY);
    const [kept] = await ctx.database.db
      .insert(auditLogs)
      .values({ action: 'event.approve', parPersonnel: true, cible: 'event:1', dateAction: old })
      .returning();
    const [pruned] = await ctx.database.db.insert(auditLogs).values({ action: 'connexion', dateAction: old }).returning();
    await cleanupOldData(ctx.database.db);
    const ids = (await ctx.database.db.select({ id: auditLogs.id }).from(auditLogs)).map((x) => x.id);
    assert.ok(ids.includes(kept!.id));
    assert.ok(!ids.includes(pruned!.id));
  });

  test('filters: staff actions only, by date; bad date is a French 400', async () => {
    const all = (await get('/api/admin/journal/?personnel=true&page_size=100')).json();
    assert.ok(all.count > 0);
    assert.ok(all.results.every((e: { par_personnel: boolean }) => e.par_personnel));
    const r = await get('/api/admin/journal/?date_debut=2026-13-45');
    assert.equal(r.statusCode, 400);
  });
});
