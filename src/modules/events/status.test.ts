/**
 * The status machine, exhaustively: every (action, status, actor) against a matrix written out by hand here
 * (not derived from TRANSITIONS), then each transition through the HTTP API, legal and illegal.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { AppError } from '../../core/errors.js';
import { assertTransition, canTransition, TRANSITIONS, type Actor, type EventAction } from './status.js';
import { EVENT_STATUTS, events, type EventStatut } from './tables.js';
import { createTestContext, type TestContext } from '../../test/context.js';
import { HOUR, inDays, insertEvent } from '../../test/events.js';
import { createUserWithToken } from '../../test/users.js';
import { finishPastEvents } from './jobs.js';

const ACTIONS: EventAction[] = ['submit', 'approve', 'reject', 'cancel', 'finish'];
const ACTORS: Actor[] = ['createur', 'staff', 'system'];

// Expected target per (action, from); absent = not allowed from that status. And who may act.
const EXPECTED: Record<EventAction, { to: EventStatut; from: EventStatut[]; by: Actor[] }> = {
  submit: { to: 'EN_ATTENTE', from: ['BROUILLON', 'REJETE'], by: ['createur'] },
  approve: { to: 'VALIDE', from: ['EN_ATTENTE'], by: ['staff'] },
  reject: { to: 'REJETE', from: ['EN_ATTENTE'], by: ['staff'] },
  cancel: { to: 'ANNULE', from: ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'VALIDE'], by: ['createur'] },
  finish: { to: 'TERMINE', from: ['VALIDE'], by: ['system'] },
};

describe('status machine as data', () => {
  test('every action × status × actor gives the expected status, 403 or 409', () => {
    let checked = 0;
    for (const action of ACTIONS) {
      for (const from of EVENT_STATUTS) {
        for (const actor of ACTORS) {
          const exp = EXPECTED[action];
          const allowedActor = exp.by.includes(actor);
          const allowedFrom = exp.from.includes(from);
          const label = `${action} from ${from} by ${actor}`;
          if (allowedActor && allowedFrom) {
            assert.equal(assertTransition(action, from, [actor]), exp.to, label);
            assert.equal(canTransition(action, from, [actor]), true, label);
          } else {
            assert.equal(canTransition(action, from, [actor]), false, label);
            assert.throws(
              () => assertTransition(action, from, [actor]),
              (err: unknown) =>
                err instanceof AppError &&
                err.statusCode === (allowedActor ? 409 : 403) &&
                /[éèàç]|Impossible|Seul|Action/.test(err.message),
              label,
            );
          }
          checked++;
        }
      }
    }
    assert.equal(checked, ACTIONS.length * EVENT_STATUTS.length * ACTORS.length);
  });

  test('final statuses have no way out, and every status but the final ones can be left', () => {
    for (const s of ['TERMINE', 'ANNULE'] as const) assert.ok(!TRANSITIONS.some((t) => t.from.includes(s)), s);
    for (const s of ['BROUILLON', 'EN_ATTENTE', 'VALIDE', 'REJETE'] as const)
      assert.ok(
        TRANSITIONS.some((t) => t.from.includes(s)),
        s,
      );
  });

  test('an actor holding several roles may do what any of them may', () => {
    assert.equal(assertTransition('approve', 'EN_ATTENTE', ['createur', 'staff']), 'VALIDE');
    assert.equal(assertTransition('cancel', 'VALIDE', ['createur', 'staff']), 'ANNULE');
  });

  test('the messages are French and name the status', () => {
    assert.throws(() => assertTransition('submit', 'VALIDE', ['createur']), {
      message: 'Impossible de soumettre à la modération un événement au statut « Validé ».',
    });
    assert.throws(() => assertTransition('approve', 'EN_ATTENTE', ['createur']), {
      message: 'Action réservée au personnel de la plateforme.',
    });
  });
});

describe('each transition through the API', () => {
  let ctx: TestContext;
  let organizer: Awaited<ReturnType<typeof createUserWithToken>>;
  let staff: Awaited<ReturnType<typeof createUserWithToken>>;
  let other: Awaited<ReturnType<typeof createUserWithToken>>;
  before(async () => {
    ctx = await createTestContext();
    organizer = await createUserWithToken(ctx.database.db);
    staff = await createUserWithToken(ctx.database.db, { isStaff: true });
    other = await createUserWithToken(ctx.database.db);
  });
  after(() => ctx.close());

  const post = (url: string, headers: Record<string, string>, payload?: object) =>
    ctx.app.inject({ method: 'POST', url, headers, ...(payload ? { payload } : {}) });
  const statutOf = async (id: number) => (await ctx.database.db.select({ s: events.statut }).from(events).where(eq(events.id, id)))[0]!.s;
  const make = (statut: EventStatut) => insertEvent(ctx.database.db, organizer.user.id, { statut });

  test('submit: BROUILLON → EN_ATTENTE and REJETE → EN_ATTENTE by the creator (the reason is cleared)', async () => {
    for (const from of ['BROUILLON', 'REJETE'] as const) {
      const id = await make(from);
      await ctx.database.db.update(events).set({ motifRejet: 'Photo floue' }).where(eq(events.id, id));
      const r = await post(`/api/events/${id}/submit/`, organizer.headers);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(await statutOf(id), 'EN_ATTENTE');
      assert.equal(r.json().event.motif_rejet, '');
    }
  });

  test('submit from any other status is 409 (a conflict with its state) and changes nothing', async () => {
    for (const from of ['EN_ATTENTE', 'VALIDE', 'TERMINE', 'ANNULE'] as const) {
      const id = await make(from);
      const r = await post(`/api/events/${id}/submit/`, organizer.headers);
      assert.equal(r.statusCode, 409, from);
      assert.equal(r.json().code, 'invalid_transition');
      assert.equal(await statutOf(id), from);
    }
  });

  test('submit of a draft whose start has passed asks to change the date first', async () => {
    const id = await insertEvent(ctx.database.db, organizer.user.id, {
      statut: 'BROUILLON',
      dateDebut: new Date(Date.now() - HOUR),
      dateFin: new Date(Date.now() + HOUR),
    });
    const r = await post(`/api/events/${id}/submit/`, organizer.headers);
    assert.equal(r.statusCode, 400);
    assert.match(r.json().details.date_debut[0], /passée/);
  });

  test('submit by someone else: 404 for a draft they cannot see, 403 from staff', async () => {
    const id = await make('BROUILLON');
    assert.equal((await post(`/api/events/${id}/submit/`, other.headers)).statusCode, 404);
    const r = await post(`/api/events/${id}/submit/`, staff.headers);
    assert.equal(r.statusCode, 403);
    assert.equal(await statutOf(id), 'BROUILLON');
  });

  test('approve: EN_ATTENTE → VALIDE by staff only; from any other status 409', async () => {
    const id = await make('EN_ATTENTE');
    assert.equal((await post(`/api/admin/events/${id}/approve/`, organizer.headers)).statusCode, 403);
    assert.equal((await post(`/api/admin/events/${id}/approve/`, staff.headers)).statusCode, 200);
    assert.equal(await statutOf(id), 'VALIDE');
    for (const from of ['BROUILLON', 'VALIDE', 'REJETE', 'TERMINE', 'ANNULE'] as const) {
      const x = await make(from);
      const r = await post(`/api/admin/events/${x}/approve/`, staff.headers);
      assert.equal(r.statusCode, 409, from);
      assert.equal(await statutOf(x), from);
    }
  });

  test('reject: EN_ATTENTE → REJETE by staff with a reason; from any other status 409', async () => {
    const id = await make('EN_ATTENTE');
    assert.equal((await post(`/api/admin/events/${id}/reject/`, organizer.headers, { motif: 'Informations incomplètes' })).statusCode, 403);
    const r = await post(`/api/admin/events/${id}/reject/`, staff.headers, { motif: 'Informations incomplètes' });
    assert.equal(r.statusCode, 200);
    assert.equal(await statutOf(id), 'REJETE');
    for (const from of ['BROUILLON', 'VALIDE', 'REJETE', 'TERMINE', 'ANNULE'] as const) {
      const x = await make(from);
      assert.equal(
        (await post(`/api/admin/events/${x}/reject/`, staff.headers, { motif: 'Informations incomplètes' })).statusCode,
        409,
        from,
      );
      assert.equal(await statutOf(x), from);
    }
  });

  test('cancel: BROUILLON, EN_ATTENTE, REJETE, VALIDE → ANNULE by the creator; TERMINE and ANNULE are final', async () => {
    for (const from of ['BROUILLON', 'EN_ATTENTE', 'REJETE', 'VALIDE'] as const) {
      const id = await make(from);
      const r = await post(`/api/events/${id}/cancel/`, organizer.headers);
      assert.equal(r.statusCode, 200, `${from}: ${r.body}`);
      assert.equal(await statutOf(id), 'ANNULE');
    }
    for (const from of ['TERMINE', 'ANNULE'] as const) {
      const id = await make(from);
      assert.equal((await post(`/api/events/${id}/cancel/`, organizer.headers)).statusCode, 409, from);
      assert.equal(await statutOf(id), from);
    }
  });

  test('cancel by someone else is 403 on a visible event, even for staff', async () => {
    const id = await make('VALIDE');
    assert.equal((await post(`/api/events/${id}/cancel/`, other.headers)).statusCode, 403);
    assert.equal((await post(`/api/events/${id}/cancel/`, staff.headers)).statusCode, 403);
    assert.equal(await statutOf(id), 'VALIDE');
  });

  test('finish: the scheduled job moves VALIDE events past date_fin to TERMINE, and nothing else', async () => {
    const past = { dateDebut: new Date(Date.now() - 5 * HOUR), dateFin: new Date(Date.now() - HOUR) };
    const ended = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'VALIDE', ...past });
    const running = await insertEvent(ctx.database.db, organizer.user.id, {
      statut: 'VALIDE',
      dateDebut: new Date(Date.now() - HOUR),
      dateFin: new Date(Date.now() + HOUR),
    });
    const future = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'VALIDE', dateDebut: inDays(3) });
    const pendingPast = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'EN_ATTENTE', ...past });
    const cancelledPast = await insertEvent(ctx.database.db, organizer.user.id, { statut: 'ANNULE', ...past });
    const n = await finishPastEvents(ctx.database.db);
    assert.ok(n >= 1);
    assert.equal(await statutOf(ended), 'TERMINE');
    assert.equal(await statutOf(running), 'VALIDE');
    assert.equal(await statutOf(future), 'VALIDE');
    assert.equal(await statutOf(pendingPast), 'EN_ATTENTE');
    assert.equal(await statutOf(cancelledPast), 'ANNULE');
    assert.equal(await finishPastEvents(ctx.database.db), 0, 'idempotent');
  });
});
