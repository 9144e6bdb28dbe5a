/**
 * The manual's EventIntegrationTest, step by step, then the same workflow through the moderation API.
 * One difference with the manual: its event starts on 2024-12-25, which is now in the past and refused
 * ("no new event in the past"), so the payload starts 30 days from now.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { categoryIds, eventPayload } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { drfPost } from '../../test/http.js';
import { eventParticipations, events } from './tables.js';

let ctx: TestContext;
let category: number;
before(async () => {
  ctx = await createTestContext();
  [category] = (await categoryIds(ctx.database.db)) as [number];
});
after(() => ctx.close());

test('EventIntegrationTest.test_event_creation_workflow', async () => {
  const { db } = ctx.database;
  const organizer = await createUserWithToken(db, { username: 'organizer', email: 'organizer@example.com', telephone: '+2250123456789' });

  // 1. Créer un événement (sent as the manual's DRF test client sends it: multipart, every value as text)
  const created = await drfPost(ctx.app, '/api/events/create/', eventPayload(category), organizer.headers);
  assert.equal(created.statusCode, 201, created.body);
  const createdBody = created.json() as { event: { id: number }; message: unknown };
  const eventId = createdBody.event.id;
  assert.equal(typeof createdBody.message, 'string');

  // 2. Vérifier que l'événement est en attente
  const [stored] = await db.select().from(events).where(eq(events.id, eventId));
  assert.equal(stored!.statut, 'EN_ATTENTE');
  assert.equal(stored!.createurId, organizer.user.id);

  // 3. Valider l'événement (admin), directly in the database as the manual does
  const admin = await createUserWithToken(db, {
    username: 'admin',
    email: 'admin@example.com',
    telephone: '+2250999999999',
    isStaff: true,
    isSuperuser: true,
  });
  await db.update(events).set({ statut: 'VALIDE', validateurId: admin.user.id }).where(eq(events.id, eventId));

  // 4. Participer à l'événement (the manual also sends statut: 'CONFIRME', which is not the client's to choose)
  const participant = await createUserWithToken(db, {
    username: 'participant',
    email: 'participant@example.com',
    telephone: '+2250888888888',
  });
  const joined = await drfPost(ctx.app, '/api/events/participate/', { event_id: eventId, statut: 'CONFIRME' }, participant.headers);
  assert.equal(joined.statusCode, 201, joined.body);
  assert.equal((joined.json() as { message: string }).message, 'Participation confirmée');

  // 5. Vérifier la participation
  const [participation] = await db
    .select()
    .from(eventParticipations)
    .where(and(eq(eventParticipations.utilisateurId, participant.user.id), eq(eventParticipations.evenementId, eventId)));
  assert.equal(participation!.statut, 'CONFIRME');
});

test('the same workflow through the API: draft, submit, moderation, publication, participation', async () => {
  const { db } = ctx.database;
  const organizer = await createUserWithToken(db);
  const staff = await createUserWithToken(db, { isStaff: true });
  const participant = await createUserWithToken(db);

  const draft = await ctx.app.inject({
    method: 'POST',
    url: '/api/events/',
    headers: organizer.headers,
    payload: eventPayload(category, { titre: 'Soirée zouglou', brouillon: true }),
  });
  assert.equal(draft.statusCode, 201, draft.body);
  const ev = draft.json().event;
  assert.equal(ev.statut, 'BROUILLON');
  assert.equal(ev.createur.id, organizer.user.id);
  assert.equal(ev.categorie.id, category);
  assert.equal(ev.participants_count, 0);
  assert.equal(ev.is_participating, false);

  // Not listed, not visible to others while a draft.
  assert.equal((await ctx.app.inject({ url: `/api/events/${ev.id}/`, headers: participant.headers })).statusCode, 404);

  const submitted = await ctx.app.inject({ method: 'POST', url: `/api/events/${ev.id}/submit/`, headers: organizer.headers });
  assert.equal(submitted.statusCode, 200, submitted.body);
  assert.equal(submitted.json().event.statut, 'EN_ATTENTE');

  const pending = await ctx.app.inject({ url: '/api/admin/events/pending/', headers: staff.headers });
  assert.equal(pending.statusCode, 200);
  assert.ok(pending.json().results.some((e: { id: number }) => e.id === ev.id));

  const approved = await ctx.app.inject({ method: 'POST', url: `/api/admin/events/${ev.id}/approve/`, headers: staff.headers });
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(approved.json().event.statut, 'VALIDE');
  assert.equal(approved.json().event.validateur, staff.user.id);
  assert.ok(approved.json().event.date_validation);

  const list = await ctx.app.inject({ url: '/api/events/' });
  assert.ok(list.json().results.some((e: { id: number }) => e.id === ev.id));

  const joined = await ctx.app.inject({ method: 'POST', url: `/api/events/${ev.id}/participate/`, headers: participant.headers });
  assert.equal(joined.statusCode, 201);
  assert.equal(joined.json().participants_count, 1);
  const again = await ctx.app.inject({ method: 'POST', url: `/api/events/${ev.id}/participate/`, headers: participant.headers });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().message, 'Vous participez déjà à cet événement');

  const detail = await ctx.app.inject({ url: `/api/events/${ev.id}/`, headers: participant.headers });
  assert.equal(detail.json().participants_count, 1);
  assert.equal(detail.json().is_participating, true);
  assert.equal(detail.json().places_restantes, 99);
});
