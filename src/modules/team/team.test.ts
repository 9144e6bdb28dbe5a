/**
 * Door staff and check-in at the door (issue 12, "Gaps left open"; issue 14, door-staff seats): every check-in
 * is for one event, team roles, the plan's team size (parallel adds), scanner tokens scoped to one event and
 * revocable, the check-in rate limits, and offline check-in (export, sync).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { createUserWithToken } from '../../test/users.js';
import { createPaidEvent } from '../../test/events.js';
import { createPaidPurchase } from '../../test/payments.js';
import { checkinScans, tickets } from '../tickets/tables.js';
import { signTicketPayload } from '../tickets/render/payload.js';
import { ticketSigningKey } from '../tickets/render/keys.js';
import { generateTicketCode } from '../tickets/render/code.js';
import { formatTime } from '../../core/french.js';

type User = Awaited<ReturnType<typeof createUserWithToken>>;
let ctx: TestContext;
const RATE_MAX = 30;
const UNKNOWN_MAX = 5;

before(async () => {
  ctx = await createTestContext({
    env: { CHECKIN_RATE_LIMIT_MAX: String(RATE_MAX), CHECKIN_UNKNOWN_CODES_MAX: String(UNKNOWN_MAX) },
  });
});
after(() => ctx.close());

const db = () => ctx.database.db;
const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
  ctx.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const scan = (headers: Record<string, string>, body: object) => inject('POST', '/api/tickets/checkin/', headers, body);
const bearer = (key: string) => ({ authorization: `Token ${key}` });

/** A validated paid event of `organizer` with `n` tickets bought by one buyer: their ids and codes. */
async function eventWithTickets(organizer: User, n = 1) {
  const buyer = await createUserWithToken(db());
  const { event, types } = await createPaidEvent(db(), organizer.user.id, {
    capacite: 50,
    types: [{ nom: 'Standard', prix: 5000, quantite: 40 }],
  });
  const { ticketIds } = await createPaidPurchase(db(), { buyerId: buyer.user.id, eventId: event.id, typeId: types[0]!.id, quantite: n });
  const rows = await db().select().from(tickets).where(inArray(tickets.id, ticketIds)).orderBy(tickets.id);
  return { event, types, tickets: rows };
}

async function addMember(organizer: User, eventId: number, member: User, role: 'SCANNER' | 'GESTIONNAIRE') {
  const r = await inject('POST', `/api/events/${eventId}/equipe/`, organizer.headers, { utilisateur: member.user.email, role });
  assert.ok(r.statusCode === 201 || r.statusCode === 200, r.body);
  return r.json() as { id: number };
}

async function scannerToken(organizer: User, eventId: number, memberId: number, libelle = 'Entrée B') {
  const r = await inject('POST', `/api/events/${eventId}/equipe/${memberId}/jetons/`, organizer.headers, { libelle });
  assert.equal(r.statusCode, 201, r.body);
  assert.match(r.json().jeton, /^svscan_[A-Za-z0-9_-]{40,}$/);
  return r.json() as { jeton: string; detail: { id: number } };
}

test('check-in is always for one event: evenement_id required, a ticket of another event refused', async () => {
  const organizer = await createUserWithToken(db());
  const stranger = await createUserWithToken(db());
  const staff = await createUserWithToken(db(), { isStaff: true });
  const a = await eventWithTickets(organizer, 2);
  const b = await eventWithTickets(organizer);
  const code = a.tickets[0]!.code;

  const missing = await scan(organizer.headers, { code });
  assert.equal(missing.statusCode, 400, missing.body);
  assert.match(missing.json().details.evenement_id[0], /Indiquez l'événement contrôlé/);
  assert.equal((await scan(staff.headers, { code })).statusCode, 400, 'staff too: a scan is for one event');

  const wrong = await scan(organizer.headers, { code, evenement_id: b.event.id });
  assert.equal(wrong.statusCode, 409, wrong.body);
  assert.equal(wrong.json().code, 'wrong_event');
  assert.match(wrong.json().error, /autre événement : « Concert Zouglou/);

  const refused = await scan(stranger.headers, { code, evenement_id: a.event.id });
  assert.equal(refused.statusCode, 403, 'not on the team of that event');
  assert.equal((await scan(stranger.headers, { code, evenement_id: 2_000_000 })).statusCode, 404, 'unknown event');

  const ok = await scan(organizer.headers, { code, evenement_id: a.event.id, entree: 'B' });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().ticket.entree, 'B');
  const again = await scan(staff.headers, { code, evenement_id: a.event.id });
  assert.equal(again.statusCode, 409);
  assert.match(again.json().error, /à l'entrée B\.$/);
  assert.equal((await scan(staff.headers, { code: a.tickets[1]!.code, evenement_id: a.event.id })).statusCode, 200);
});

test('team: the creator names members; GESTIONNAIRE manages ticket types, SCANNER only checks in and searches', async () => {
  const organizer = await createUserWithToken(db());
  const manager = await createUserWithToken(db());
  const scanner = await createUserWithToken(db());
  const outsider = await createUserWithToken(db());
  const ev = await eventWithTickets(organizer, 2);
  const base = `/api/events/${ev.event.id}/equipe/`;

  const byUsername = await inject('POST', base, organizer.headers, { utilisateur: scanner.user.username, role: 'SCANNER' });
  assert.equal(byUsername.statusCode, 201, byUsername.body);
  assert.equal(byUsername.json().role, 'SCANNER');
  assert.equal(byUsername.json().utilisateur.id, scanner.user.id);
  const byId = await inject('POST', base, organizer.headers, { utilisateur: manager.user.id, role: 'SCANNER' });
  assert.equal(byId.statusCode, 201);
  const promoted = await inject('POST', base, organizer.headers, { utilisateur: manager.user.telephone, role: 'GESTIONNAIRE' });
  assert.equal(promoted.statusCode, 200, 'same person again: role changed, not a second seat');
  assert.equal(promoted.json().id, byId.json().id);
  assert.equal(promoted.json().role, 'GESTIONNAIRE');

  const unknown = await inject('POST', base, organizer.headers, { utilisateur: 'personne@nulle-part.ci', role: 'SCANNER' });
  assert.equal(unknown.statusCode, 400);
  assert.match(unknown.json().details.utilisateur[0], /Utilisateur introuvable/);
  assert.equal((await inject('POST', base, organizer.headers, { utilisateur: organizer.user.id, role: 'SCANNER' })).statusCode, 400);
  assert.equal((await inject('POST', base, organizer.headers, { utilisateur: outsider.user.id, role: 'CHEF' })).statusCode, 400);
  for (const who of [manager, scanner, outsider]) {
    assert.equal(
      (await inject('POST', base, who.headers, { utilisateur: outsider.user.id, role: 'SCANNER' })).statusCode,
      403,
      'creator only',
    );
    assert.equal((await inject('GET', base, who.headers)).statusCode, 403);
  }
  const list = await inject('GET', base, organizer.headers);
  assert.equal(list.statusCode, 200);
  assert.equal(list.json().count, 2);

  const types = `/api/events/${ev.event.id}/ticket-types/`;
  const vip = { nom: 'VIP', prix: 20000, quantite: 10 };
  assert.equal((await inject('POST', types, scanner.headers, vip)).statusCode, 403, 'SCANNER: no ticket types');
  assert.equal((await inject('POST', types, outsider.headers, vip)).statusCode, 403);
  const created = await inject('POST', types, manager.headers, vip);
  assert.equal(created.statusCode, 201, created.body);
  const patched = await inject('PATCH', `${types}${created.json().id}/`, manager.headers, { prix: 25000 });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal(patched.json().prix, 25000);
  assert.equal((await inject('PATCH', `${types}${created.json().id}/`, scanner.headers, { prix: 1 })).statusCode, 403);

  // A GESTIONNAIRE reads the types of an event still awaiting moderation; nobody else outside its creator does.
  const pending = await createPaidEvent(db(), organizer.user.id, { statut: 'EN_ATTENTE' });
  await addMember(organizer, pending.event.id, manager, 'GESTIONNAIRE');
  await addMember(organizer, pending.event.id, scanner, 'SCANNER');
  assert.equal((await inject('GET', `/api/events/${pending.event.id}/ticket-types/`, manager.headers)).statusCode, 200);
  assert.equal((await inject('GET', `/api/events/${pending.event.id}/ticket-types/`, scanner.headers)).statusCode, 404);
  assert.equal((await inject('GET', `/api/events/${pending.event.id}/ticket-types/`, outsider.headers)).statusCode, 404);
  const pendingType = pending.types[0]!.id;
  assert.equal(
    (await inject('PATCH', `/api/events/${pending.event.id}/ticket-types/${pendingType}/`, manager.headers, { prix: 7000 })).statusCode,
    200,
  );
  assert.equal(
    (await inject('PATCH', `/api/events/${pending.event.id}/ticket-types/${pendingType}/`, outsider.headers, { prix: 1 })).statusCode,
    404,
  );

  // Both roles check in and search, for this event.
  assert.equal((await scan(scanner.headers, { code: ev.tickets[0]!.code, evenement_id: ev.event.id })).statusCode, 200);
  assert.equal((await scan(manager.headers, { code: ev.tickets[1]!.code, evenement_id: ev.event.id })).statusCode, 200);
  const search = await inject(
    'GET',
    `/api/events/${ev.event.id}/checkin/recherche/?q=${encodeURIComponent(ev.tickets[0]!.code)}`,
    scanner.headers,
  );
  assert.equal(search.statusCode, 200, search.body);
  assert.equal(search.json().count, 1);
  assert.equal(search.json().results[0].statut, 'UTILISE');
  assert.equal((await inject('GET', `/api/events/${ev.event.id}/checkin/recherche/?q=ab`, outsider.headers)).statusCode, 403);
  const other = await eventWithTickets(organizer);
  assert.equal(
    (await scan(scanner.headers, { code: other.tickets[0]!.code, evenement_id: other.event.id })).statusCode,
    403,
    'not their event',
  );

  // Removed: no more rights.
  assert.equal((await inject('DELETE', `${base}${byUsername.json().id}/`, organizer.headers)).statusCode, 204);
  assert.equal((await inject('DELETE', `${base}${byUsername.json().id}/`, organizer.headers)).statusCode, 404);
  assert.equal((await inject('GET', `/api/events/${ev.event.id}/checkin/recherche/?q=ab`, scanner.headers)).statusCode, 403);
});

test('plan limit: team members per event on the free plan, parallel adds cannot pass it', async () => {
  const organizer = await createUserWithToken(db());
  const people = await Promise.all(Array.from({ length: 6 }, () => createUserWithToken(db())));
  const { event } = await createPaidEvent(db(), organizer.user.id);
  const results = await Promise.all(
    people.map((p) => inject('POST', `/api/events/${event.id}/equipe/`, organizer.headers, { utilisateur: p.user.id, role: 'SCANNER' })),
  );
  const codes = results.map((r) => r.statusCode).sort();
  assert.deepEqual(codes, [201, 201, 403, 403, 403, 403], results.map((r) => r.body).join('\n'));
  const refusal = results.find((r) => r.statusCode === 403)!.json();
  assert.equal(refusal.code, 'plan_limit');
  assert.match(refusal.error, /forfait « Gratuit » permet au plus 2 membre\(s\) d'équipe par événement/);
  assert.equal((await inject('GET', `/api/events/${event.id}/equipe/`, organizer.headers)).json().count, 2);
  // Changing the role of a member takes no new seat.
  const member = results.find((r) => r.statusCode === 201)!.json();
  const changed = await inject('POST', `/api/events/${event.id}/equipe/`, organizer.headers, {
    utilisateur: member.utilisateur.id,
    role: 'GESTIONNAIRE',
  });
  assert.equal(changed.statusCode, 200, changed.body);
  // The plan shows the limit.
  const plans = (await ctx.app.inject({ url: '/api/subscriptions/plans/' })).json();
  assert.equal(plans.find((p: { code: string }) => p.code === 'gratuit').fonctionnalites.max_membres_equipe, 2);
});

test('scanner tokens: one event, check-in and search only, listed with last use, revocable', async () => {
  const organizer = await createUserWithToken(db());
  const doorman = await createUserWithToken(db());
  const ev = await eventWithTickets(organizer, 3);
  const other = await eventWithTickets(organizer);
  const member = await addMember(organizer, ev.event.id, doorman, 'GESTIONNAIRE');
  const { jeton, detail } = await scannerToken(organizer, ev.event.id, member.id);
  const h = bearer(jeton);

  // Its event is implied.
  const ok = await scan(h, { code: ev.tickets[0]!.code });
  assert.equal(ok.statusCode, 200, ok.body);
  const otherEvent = await scan(h, { code: other.tickets[0]!.code, evenement_id: other.event.id });
  assert.equal(otherEvent.statusCode, 403, otherEvent.body);
  assert.equal(otherEvent.json().code, 'scanner_token_scope');
  assert.equal((await scan(h, { code: other.tickets[0]!.code })).statusCode, 404, 'a ticket of another event is unknown to the token');
  assert.equal((await inject('GET', `/api/events/${ev.event.id}/checkin/recherche/?q=zz`, h)).statusCode, 200);
  assert.equal((await inject('GET', `/api/events/${other.event.id}/checkin/export/`, h)).statusCode, 403);

  // Nothing else, whatever the member's own role (GESTIONNAIRE here).
  for (const [method, url, body] of [
    ['GET', '/api/tickets/'],
    ['GET', '/api/users/me/'],
    ['GET', `/api/events/${ev.event.id}/equipe/`],
    ['POST', `/api/events/${ev.event.id}/ticket-types/`, { nom: 'VIP', prix: 100, quantite: 1 }],
    ['POST', '/api/users/logout/'],
    ['GET', '/api/events/'],
  ] as const) {
    const r = await inject(method, url, h, body);
    assert.equal(r.statusCode, 403, `${method} ${url}: ${r.body}`);
    assert.equal(r.json().code, 'scanner_token_scope');
  }

  const listed = await inject('GET', `/api/events/${ev.event.id}/equipe/jetons/`, organizer.headers);
  assert.equal(listed.statusCode, 200);
  const row = listed.json().results.find((t: { id: number }) => t.id === detail.id);
  assert.equal(row.libelle, 'Entrée B');
  assert.notEqual(row.derniere_utilisation, null, 'last use recorded');
  assert.equal(row.revoque_le, null);
  assert.equal(JSON.stringify(listed.json()).includes(jeton), false, 'the key is never shown again');

  assert.equal((await inject('DELETE', `/api/events/${ev.event.id}/equipe/jetons/${detail.id}/`, organizer.headers)).statusCode, 204);
  const revoked = await scan(h, { code: ev.tickets[1]!.code });
  assert.equal(revoked.statusCode, 401);
  assert.match(revoked.json().error, /Jeton de contrôle invalide ou révoqué/);
  const after = (await inject('GET', `/api/events/${ev.event.id}/equipe/jetons/`, organizer.headers)).json();
  assert.notEqual(after.results.find((t: { id: number }) => t.id === detail.id).revoque_le, null);

  // Removing the member ends their tokens.
  const second = await scannerToken(organizer, ev.event.id, member.id, 'Entrée A');
  assert.equal((await scan(bearer(second.jeton), { code: ev.tickets[1]!.code })).statusCode, 200);
  assert.equal((await inject('DELETE', `/api/events/${ev.event.id}/equipe/${member.id}/`, organizer.headers)).statusCode, 204);
  assert.equal((await scan(bearer(second.jeton), { code: ev.tickets[2]!.code })).statusCode, 401);
  assert.equal((await scan(bearer('svscan_' + 'x'.repeat(43)), { code: ev.tickets[2]!.code })).statusCode, 401, 'unknown key');
});

test('rate limits: unknown codes per scanner token → 429, other tokens unaffected; overall pace → 429', async () => {
  const organizer = await createUserWithToken(db());
  const doorman = await createUserWithToken(db());
  const ev = await eventWithTickets(organizer, 2);
  const member = await addMember(organizer, ev.event.id, doorman, 'SCANNER');
  const guesser = bearer((await scannerToken(organizer, ev.event.id, member.id, 'A')).jeton);
  const honest = bearer((await scannerToken(organizer, ev.event.id, member.id, 'B')).jeton);

  for (let i = 0; i < UNKNOWN_MAX; i++) {
    const r = await scan(guesser, { code: i % 2 ? generateTicketCode() : 'SV1.bogus.signature' });
    assert.ok([400, 404].includes(r.statusCode), r.body);
  }
  const blocked = await scan(guesser, { code: ev.tickets[0]!.code });
  assert.equal(blocked.statusCode, 429, 'even a real ticket waits once the limit is reached');
  assert.ok(Number(blocked.headers['retry-after']) >= 1);
  assert.match(blocked.json().error, /Trop de codes inconnus/);
  const fine = await scan(honest, { code: ev.tickets[0]!.code });
  assert.equal(fine.statusCode, 200, 'another device of the same door is not blocked');

  // The overall pace: a used ticket (409, not an unknown code) scanned over and over.
  const statuses: number[] = [];
  for (let i = 0; i < RATE_MAX + 1; i++) statuses.push((await scan(honest, { code: ev.tickets[0]!.code })).statusCode);
  assert.equal(statuses.filter((s) => s === 409).length, RATE_MAX - 1, statuses.join(','));
  assert.deepEqual(statuses.slice(-2), [429, 429]);
  // Offline sync counts unknown codes too: past the limit the rest of the batch is left unexamined, not recorded.
  const syncer = bearer((await scannerToken(organizer, ev.event.id, member.id, 'C')).jeton);
  const batch = Array.from({ length: UNKNOWN_MAX + 2 }, (_, i) => ({
    code: generateTicketCode(),
    scanned_at: new Date().toISOString(),
    nonce: `guess-${i}-nonce`,
  }));
  const guessed = await inject('POST', '/api/tickets/checkin/sync/', syncer, { scans: batch });
  assert.equal(guessed.statusCode, 200, guessed.body);
  assert.deepEqual(
    guessed.json().resultats.map((r: { statut: string }) => r.statut),
    [...Array(UNKNOWN_MAX).fill('INCONNU'), 'NON_TRAITE', 'NON_TRAITE'],
  );
  assert.equal((await db().select().from(checkinScans).where(eq(checkinScans.evenementId, ev.event.id))).length, UNKNOWN_MAX);
  assert.equal((await inject('POST', '/api/tickets/checkin/sync/', syncer, { scans: batch.slice(-1) })).statusCode, 429);
  // Per token: the organizer's own scans are counted apart.
  assert.equal((await scan(organizer.headers, { code: ev.tickets[1]!.code, evenement_id: ev.event.id })).statusCode, 200);
});

test('offline export: QR signatures verify with the exported public key alone; hashed codes; revocation list', async () => {
  const organizer = await createUserWithToken(db());
  const doorman = await createUserWithToken(db());
  const ev = await eventWithTickets(organizer, 3);
  const [valid, used, refunded] = ev.tickets as [(typeof ev.tickets)[0], (typeof ev.tickets)[0], (typeof ev.tickets)[0]];
  assert.equal((await scan(organizer.headers, { code: used.code, evenement_id: ev.event.id, entree: 'C' })).statusCode, 200);
  await db().update(tickets).set({ statut: 'REMBOURSE' }).where(eq(tickets.id, refunded.id));
  const member = await addMember(organizer, ev.event.id, doorman, 'SCANNER');
  const h = bearer((await scannerToken(organizer, ev.event.id, member.id)).jeton);
  const r = await inject('GET', `/api/events/${ev.event.id}/checkin/export/`, h);
  assert.equal(r.statusCode, 200, r.body);
  const x = r.json();
  const hash = (code: string) => createHash('sha256').update(`${ev.event.id}:${code}`).digest('hex');
  assert.deepEqual(x.codes_valides, [hash(valid.code)]);
  assert.deepEqual(
    x.deja_utilises.map((u: { empreinte: string; entree: string }) => [u.empreinte, u.entree]),
    [[hash(used.code), 'C']],
  );
  assert.deepEqual(x.revoques, [hash(refunded.code)]);
  assert.ok(!Number.isNaN(Date.parse(x.genere_le)));

  // A door app holding only the export: the raw key (SPKI header + 32 bytes) and the PEM both verify the QR.
  const payload = signTicketPayload(ticketSigningKey(ctx.config), { ticketId: valid.id, eventId: ev.event.id, code: valid.code });
  const [prefix, body, sig] = payload.split('.') as [string, string, string];
  const fromRaw = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(x.cle_publique.raw, 'base64url')]),
    format: 'der',
    type: 'spki',
  });
  const fromPem = createPublicKey(x.cle_publique.pem);
  for (const key of [fromRaw, fromPem]) {
    assert.equal(verify(null, Buffer.from(`${prefix}.${body}`), key, Buffer.from(sig, 'base64url')), true);
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), e: ev.event.id + 1 })).toString(
      'base64url',
    );
    assert.equal(verify(null, Buffer.from(`${prefix}.${tampered}`), key, Buffer.from(sig, 'base64url')), false);
  }
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
  assert.equal(claims.k, x.cle_publique.id);
  assert.equal(claims.e, ev.event.id);
  assert.equal(hash(claims.c), x.codes_valides[0]);
  const outsider = await createUserWithToken(db());
  assert.equal((await inject('GET', `/api/events/${ev.event.id}/checkin/export/`, outsider.headers)).statusCode, 403);
});

test('offline sync: idempotent per nonce, the earliest scan wins across two devices, conflicts in French', async () => {
  const organizer = await createUserWithToken(db());
  const doorman = await createUserWithToken(db());
  const ev = await eventWithTickets(organizer, 3);
  const [t, refunded, fresh] = ev.tickets as [(typeof ev.tickets)[0], (typeof ev.tickets)[0], (typeof ev.tickets)[0]];
  await db().update(tickets).set({ statut: 'REMBOURSE' }).where(eq(tickets.id, refunded.id));
  // Bought two hours before the door opened.
  const issued = new Date(Date.now() - 2 * 3600_000);
  await db()
    .update(tickets)
    .set({ dateEmission: issued })
    .where(
      inArray(
        tickets.id,
        ev.tickets.map((x) => x.id),
      ),
    );
  const member = await addMember(organizer, ev.event.id, doorman, 'SCANNER');
  const deviceA = bearer((await scannerToken(organizer, ev.event.id, member.id, 'porte A')).jeton);
  const deviceB = bearer((await scannerToken(organizer, ev.event.id, member.id, 'porte B')).jeton);
  const sync = (h: Record<string, string>, scans: object[]) => inject('POST', '/api/tickets/checkin/sync/', h, { scans });
  const early = new Date(Date.now() - 30 * 60_000);
  const late = new Date(Date.now() - 25 * 60_000);
  const payloadT = signTicketPayload(ticketSigningKey(ctx.config), { ticketId: t.id, eventId: ev.event.id, code: t.code });

  // Device A synced first with the later scan; device B comes back with the earlier one.
  const a1 = await sync(deviceA, [{ code: payloadT, scanned_at: late.toISOString(), nonce: 'device-a-0001', entree: 'A' }]);
  assert.equal(a1.statusCode, 200, a1.body);
  assert.equal(a1.json().resultats[0].statut, 'ACCEPTE');
  const b1 = await sync(deviceB, [
    { code: t.code, scanned_at: early.toISOString(), nonce: 'device-b-0001', entree: 'B' },
    { code: refunded.code, scanned_at: early.toISOString(), nonce: 'device-b-0002', entree: 'B' },
    { code: generateTicketCode(), scanned_at: early.toISOString(), nonce: 'device-b-0003', entree: 'B' },
    { code: fresh.code, scanned_at: new Date(Date.now() + 3600_000).toISOString(), nonce: 'device-b-0004' },
  ]);
  assert.equal(b1.statusCode, 200, b1.body);
  assert.deepEqual(
    b1.json().resultats.map((r: { statut: string }) => r.statut),
    ['ACCEPTE', 'NON_VALABLE', 'INCONNU', 'INVALIDE'],
  );
  assert.match(b1.json().resultats[1].message, /Billet non valable \(remboursé\)/);
  const [row] = await db().select().from(tickets).where(eq(tickets.id, t.id));
  assert.equal(row!.dateUtilisation!.getTime(), early.getTime(), 'the earliest scan is the entry');
  assert.equal(row!.entree, 'B');

  // Device A sends its batch again (it never got the answer): same nonce, now reported as the second scan.
  const a2 = await sync(deviceA, [{ code: payloadT, scanned_at: late.toISOString(), nonce: 'device-a-0001', entree: 'A' }]);
  assert.equal(a2.json().resultats[0].statut, 'DEJA_UTILISE');
  assert.equal(a2.json().resultats[0].message, `Billet déjà scanné à ${formatTime(early)} à l'entrée B.`);
  // Idempotent: the same nonce twice, even at once, is one scan with one answer.
  const [b2, b3] = await Promise.all([
    sync(deviceB, [{ code: t.code, scanned_at: early.toISOString(), nonce: 'device-b-0001', entree: 'B' }]),
    sync(deviceB, [{ code: t.code, scanned_at: early.toISOString(), nonce: 'device-b-0001', entree: 'B' }]),
  ]);
  assert.deepEqual(b2.json().resultats, b3.json().resultats);
  assert.equal(b2.json().resultats[0].statut, 'ACCEPTE');
  const rows = await db().select().from(checkinScans).where(eq(checkinScans.evenementId, ev.event.id));
  assert.equal(rows.length, 5);
  // A nonce reused for another code is refused, not replayed.
  const reused = await sync(deviceB, [{ code: fresh.code, scanned_at: early.toISOString(), nonce: 'device-b-0001' }]);
  assert.equal(reused.json().resultats[0].statut, 'INVALIDE');
  // A later offline scan and an online scan both name the first entry.
  const later = await sync(deviceA, [{ code: t.code, scanned_at: new Date().toISOString(), nonce: 'device-a-0002' }]);
  assert.equal(later.json().resultats[0].message, `Billet déjà scanné à ${formatTime(early)} à l'entrée B.`);
  const online = await scan(organizer.headers, { code: t.code, evenement_id: ev.event.id });
  assert.equal(online.statusCode, 409);
  assert.match(online.json().error, /à l'entrée B\.$/);
  // A device clock far behind cannot claim the first entry with a time before the ticket was issued.
  const stale = await sync(deviceA, [
    { code: t.code, scanned_at: new Date(issued.getTime() - 86_400_000).toISOString(), nonce: 'device-a-0003' },
  ]);
  assert.equal(stale.json().resultats[0].statut, 'INVALIDE');
  assert.equal((await db().select().from(tickets).where(eq(tickets.id, t.id)))[0]!.dateUtilisation!.getTime(), early.getTime());
  // Without a scanner token, the event is required.
  const noEvent = await inject('POST', '/api/tickets/checkin/sync/', organizer.headers, {
    scans: [{ code: fresh.code, scanned_at: early.toISOString(), nonce: 'organizer-0001' }],
  });
  assert.equal(noEvent.statusCode, 400);
  const withEvent = await inject('POST', '/api/tickets/checkin/sync/', organizer.headers, {
    evenement_id: ev.event.id,
    scans: [{ code: fresh.code, scanned_at: early.toISOString(), nonce: 'organizer-0001' }],
  });
  assert.equal(withEvent.json().resultats[0].statut, 'ACCEPTE');
});

test('the OpenAPI document carries the door routes with French summaries and token security', async () => {
  const paths = (await ctx.app.inject({ url: '/api/schema/' })).json().paths as Record<
    string,
    Record<string, { summary?: string; security?: unknown[] }>
  >;
  for (const [path, methods] of [
    ['/api/events/{id}/equipe/', ['get', 'post']],
    ['/api/events/{id}/equipe/{membre_id}/', ['delete']],
    ['/api/events/{id}/equipe/{membre_id}/jetons/', ['post']],
    ['/api/events/{id}/equipe/jetons/', ['get']],
    ['/api/events/{id}/equipe/jetons/{jeton_id}/', ['delete']],
    ['/api/events/{id}/checkin/recherche/', ['get']],
    ['/api/events/{id}/checkin/export/', ['get']],
    ['/api/tickets/checkin/', ['post']],
    ['/api/tickets/checkin/sync/', ['post']],
  ] as const) {
    for (const m of methods) {
      const op = paths[path]?.[m];
      assert.ok(op, `${m.toUpperCase()} ${path} missing`);
      assert.ok(op.summary && /[a-zé]/.test(op.summary), `${m} ${path} summary`);
      assert.ok(op.security, `${m} ${path} security`);
    }
  }
});

test("an erased account leaves the event's team, its scanner tokens stop; the export lists its memberships", async () => {
  const organizer = await createUserWithToken(db());
  const doorman = await createUserWithToken(db(), { password: 'mot-de-passe-porte-1' });
  const ev = await eventWithTickets(organizer);
  const member = await addMember(organizer, ev.event.id, doorman, 'SCANNER');
  const { jeton } = await scannerToken(organizer, ev.event.id, member.id);
  const exported = await inject('GET', '/api/users/me/export/', doorman.headers);
  assert.equal(exported.statusCode, 200);
  assert.deepEqual(
    exported.json().equipes.map((e: { evenement_id: number; role: string }) => [e.evenement_id, e.role]),
    [[ev.event.id, 'SCANNER']],
  );
  const del = await inject('POST', '/api/users/me/delete/', doorman.headers, { password: 'mot-de-passe-porte-1' });
  assert.equal(del.statusCode, 204, del.body);
  assert.equal((await inject('GET', `/api/events/${ev.event.id}/equipe/`, organizer.headers)).json().count, 0);
  assert.equal((await scan(bearer(jeton), { code: ev.tickets[0]!.code })).statusCode, 401);
});
