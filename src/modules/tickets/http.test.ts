/** Tickets over HTTP: my tickets, their QR codes and PDF, check-in at the door, ticket types (programmable gateway). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { createPaidEvent } from '../../test/events.js';
import { buyTicketsThroughApi } from '../../test/payments.js';
import { fakeGateways } from '../../test/fake-gateway.js';
import { formatTicketCode, generateTicketCode } from './render/code.js';
import { signTicketPayload } from './render/payload.js';
import { keyFromSeed, ticketSigningKey } from './render/keys.js';
import { formatShortDateTime } from '../../core/french.js';

const gateways = fakeGateways();
let ctx: TestContext;
let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
let staff: Awaited<ReturnType<typeof createUserWithToken>>;
before(async () => {
  ctx = await createTestContext({ gateways, work: true });
  organizer = await createUserWithToken(ctx.database.db);
  staff = await createUserWithToken(ctx.database.db, { isStaff: true });
});
after(() => ctx.close());

const paidTickets = (buyer: Awaited<ReturnType<typeof createUserWithToken>>, eventId: number, quantite = 1) =>
  buyTicketsThroughApi(ctx, gateways, buyer, eventId, quantite);

test('my tickets: list and detail; another user gets 404', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const other = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const list = await ctx.app.inject({ url: '/api/tickets/', headers: buyer.headers });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().count, 1);
  const t = list.json().results[0];
  assert.match(t.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  assert.equal(t.evenement.id, event.id);
  assert.equal(t.type_billet.nom, 'Standard');
  assert.equal((await ctx.app.inject({ url: `/api/tickets/${issued[0]!.id}/`, headers: buyer.headers })).statusCode, 200);
  assert.equal((await ctx.app.inject({ url: `/api/tickets/${issued[0]!.id}/`, headers: other.headers })).statusCode, 404);
  assert.equal((await ctx.app.inject({ url: '/api/tickets/', headers: other.headers })).json().count, 0);
});

test('check-in: 200 the first time, 409 with the time after; others and forgeries refused', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const stranger = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const other = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const code = issued[0]!.code;
  const scan = (headers: Record<string, string>, body: object) =>
    ctx.app.inject({ method: 'POST', url: '/api/tickets/checkin/', headers, payload: body });

  const at = { evenement_id: event.id };
  assert.equal((await scan(stranger.headers, { code, ...at })).statusCode, 403, "not the event's organizer nor on its team");
  assert.equal((await scan(organizer.headers, { code: generateTicketCode(), ...at })).statusCode, 404, 'well-formed but unknown code');
  assert.equal((await scan(organizer.headers, { code: 'pas un code', ...at })).statusCode, 400, 'garbage');
  const typo = code.slice(0, 11) + (code[11] === '0' ? '1' : '0');
  assert.equal((await scan(organizer.headers, { code: typo, ...at })).statusCode, 400, 'a typo is caught by the check character');
  const forged = signTicketPayload(keyFromSeed(Buffer.alloc(32, 7)), { ticketId: issued[0]!.id, eventId: event.id, code });
  const forgedScan = await scan(organizer.headers, { code: forged, ...at });
  assert.equal(forgedScan.statusCode, 400, 'QR signed with another key');
  assert.match(forgedScan.json().details.code[0], /QR code invalide/);
  assert.equal(
    (await scan(organizer.headers, { code, evenement_id: other.event.id })).statusCode,
    409,
    'another event of the same organizer',
  );

  const first = await scan(organizer.headers, { code: formatTicketCode(code).toLowerCase(), evenement_id: event.id });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json().ticket.statut, 'UTILISE');
  assert.equal(first.json().ticket.type_billet, 'Standard');
  const second = await scan(staff.headers, { code, ...at });
  assert.equal(second.statusCode, 409);
  assert.equal(second.json().code, 'already_checked_in');
  assert.equal(second.json().details.date_utilisation[0], first.json().ticket.date_utilisation);
  // For the person at the door: a French date in Abidjan time (the ISO time stays in details).
  assert.equal(second.json().error, `Billet déjà utilisé le ${formatShortDateTime(new Date(first.json().ticket.date_utilisation))}.`);
  assert.match(second.json().error, /^Billet déjà utilisé le \d{1,2} \p{L}+ \d{4} à \d{2}:\d{2}\.$/u);
});

test('QR code (SVG, PNG) and PDF of my ticket; the QR payload checks the ticket in', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const other = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const id = issued[0]!.id;
  const svg = await ctx.app.inject({ url: `/api/tickets/${id}/qr.svg`, headers: buyer.headers });
  assert.equal(svg.statusCode, 200);
  assert.match(String(svg.headers['content-type']), /image\/svg\+xml/);
  assert.match(svg.body, /^<svg|<\?xml/);
  const png = await ctx.app.inject({ url: `/api/tickets/${id}/qr.png`, headers: buyer.headers });
  assert.equal(png.statusCode, 200);
  assert.deepEqual([...png.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const pdf = await ctx.app.inject({ url: `/api/tickets/${id}/pdf`, headers: buyer.headers });
  assert.equal(pdf.statusCode, 200);
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  for (const suffix of ['qr.svg', 'qr.png', 'pdf']) {
    assert.equal((await ctx.app.inject({ url: `/api/tickets/${id}/${suffix}`, headers: other.headers })).statusCode, 404, suffix);
  }
  // What the PNG encodes is what the door scanner sends.
  const payload = signTicketPayload(ticketSigningKey(ctx.config), { ticketId: id, eventId: event.id, code: issued[0]!.code });
  const r = await ctx.app.inject({
    method: 'POST',
    url: '/api/tickets/checkin/',
    headers: organizer.headers,
    payload: { code: payload, evenement_id: event.id },
  });
  assert.equal(r.statusCode, 200, r.body);
});

test('simultaneous scans of one ticket: exactly one gets in', async () => {
  const buyer = await createUserWithToken(ctx.database.db);
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, { capacite: 5 });
  const { tickets: issued } = await paidTickets(buyer, event.id, 1);
  const results = await Promise.all(
    Array.from({ length: 5 }, () =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/tickets/checkin/',
        headers: organizer.headers,
        payload: { code: issued[0]!.code, evenement_id: event.id },
      }),
    ),
  );
  assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 409, 409, 409, 409]);
});

test('ticket types: public list with availability; creator adds within capacity; others 403', async () => {
  const { event } = await createPaidEvent(ctx.database.db, organizer.user.id, {
    capacite: 100,
    types: [{ nom: 'Standard', prix: 5000, quantite: 80 }],
  });
  const list = await ctx.app.inject({ url: `/api/events/${event.id}/ticket-types/` });
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().results[0].disponibles, 80, 'paginated like every list');
  const tooMany = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: organizer.headers,
    payload: { nom: 'VIP', prix: 25000, quantite: 30 },
  });
  assert.equal(tooMany.statusCode, 400);
  assert.match(tooMany.json().details.quantite[0], /dépasseraient la capacité/);
  const vip = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: organizer.headers,
    payload: { nom: 'VIP', prix: 25000, quantite: 20, max_par_commande: 4 },
  });
  assert.equal(vip.statusCode, 201, vip.body);
  const dup = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: organizer.headers,
    payload: { nom: 'VIP', prix: 1000, quantite: 0 },
  });
  assert.equal(dup.statusCode, 400);
  const notMine = await ctx.app.inject({
    method: 'POST',
    url: `/api/events/${event.id}/ticket-types/`,
    headers: staff.headers,
    payload: { nom: 'Autre', prix: 1000, quantite: 1 },
  });
  assert.equal(notMine.statusCode, 403);
  const patch = await ctx.app.inject({
    method: 'PATCH',
    url: `/api/events/${event.id}/ticket-types/${vip.json().id}/`,
    headers: organizer.headers,
    payload: { prix: 30000 },
  });
  assert.equal(patch.json().prix, 30000);
  assert.equal(
    (await ctx.app.inject({ method: 'DELETE', url: `/api/events/${event.id}/ticket-types/${vip.json().id}/`, headers: organizer.headers }))
      .statusCode,
    204,
  );
});
