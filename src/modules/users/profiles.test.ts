import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../../test/context.js';
import { register } from '../../test/users.js';
import { eventCategories, events, type EventStatut } from '../events/tables.js';
import { users } from './tables.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' } });
});
after(() => ctx.close());

const get = (url: string, headers: Record<string, string> = {}) => ctx.app.inject({ url, headers });
const patch = (url: string, payload: unknown, headers: Record<string, string>) =>
  ctx.app.inject({ method: 'PATCH', url, payload: payload as object, headers });

async function createEvent(createurId: number, statut: EventStatut) {
  const [cat] = await ctx.database.db.select().from(eventCategories).limit(1);
  await ctx.database.db.insert(events).values({
    titre: `Concert ${statut}`,
    description: 'Un concert',
    createurId,
    categorieId: cat!.id,
    dateDebut: new Date(Date.now() + 86_400_000),
    dateFin: new Date(Date.now() + 90_000_000),
    lieu: 'Palais de la Culture',
    typeAcces: 'GRATUIT',
    capaciteMax: 100,
    statut,
  });
}

const PROFILE_FIELDS = [
  // The manual's UserProfileSerializer…
  'id',
  'username',
  'email',
  'first_name',
  'last_name',
  'telephone',
  'photo_profil',
  'bio',
  'est_verifie',
  'followers_count',
  'following_count',
  'events_count',
  // …and the rest of its User model.
  'date_naissance',
  'date_verification',
  'notifications_email',
  'notifications_push',
  'date_creation',
  'date_modification',
  'derniere_connexion_ip',
  'last_login',
  'email_verifie',
  'is_staff',
  'has_usable_password',
  // The photo's small WebP variant (core/media.ts).
  'photo_profil_miniature',
].sort();

describe('/api/users/me/', () => {
  test('GET: every field of the User model and the serializer, no secret', async () => {
    const u = await register(ctx.app);
    const r = await get('/api/users/me/', u.headers);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(Object.keys(r.json()).sort(), PROFILE_FIELDS);
    assert.doesNotMatch(r.body, /argon2|"password"/);
    assert.equal((await get('/api/users/me/')).statusCode, 401);
  });

  test('PATCH edits the editable fields; id, username, email, est_verifie are read-only', async () => {
    const u = await register(ctx.app);
    const r = await patch(
      '/api/users/me/',
      {
        first_name: 'Aminata',
        last_name: 'Traoré',
        bio: 'Fan de zouglou',
        date_naissance: '1995-04-12',
        notifications_email: false,
        notifications_push: false,
        username: 'pirate',
        email: 'pirate@exemple.ci',
        est_verifie: true,
        id: 999,
      },
      u.headers,
    );
    assert.equal(r.statusCode, 200, r.body);
    const p = r.json();
    assert.equal(p.first_name, 'Aminata');
    assert.equal(p.last_name, 'Traoré');
    assert.equal(p.bio, 'Fan de zouglou');
    assert.equal(p.date_naissance, '1995-04-12');
    assert.equal(p.notifications_email, false);
    assert.equal(p.notifications_push, false);
    assert.equal(p.username, u.body.username);
    assert.equal(p.email, u.body.email);
    assert.equal(p.est_verifie, false);
    assert.equal(p.id, u.user.id);
    const again = await get('/api/users/me/', u.headers);
    assert.equal(again.json().bio, 'Fan de zouglou');
    const cleared = await patch('/api/users/me/', { date_naissance: null }, u.headers);
    assert.equal(cleared.json().date_naissance, null);
  });

  test('PATCH validation: bad date, future birth date, long bio, bad or taken telephone', async () => {
    const u = await register(ctx.app);
    const other = await register(ctx.app);
    const bad = await patch('/api/users/me/', { date_naissance: '2001-02-30' }, u.headers);
    assert.equal(bad.statusCode, 400);
    assert.ok(bad.json().details.date_naissance);
    const future = await patch('/api/users/me/', { date_naissance: '2999-01-01' }, u.headers);
    assert.deepEqual(future.json().details.date_naissance, ['La date de naissance ne peut pas être dans le futur.']);
    const long = await patch('/api/users/me/', { bio: 'x'.repeat(501) }, u.headers);
    assert.equal(long.statusCode, 400);
    assert.ok(long.json().details.bio);
    const tel = await patch('/api/users/me/', { telephone: '12' }, u.headers);
    assert.deepEqual(tel.json().details.telephone, ['Numéro de téléphone invalide. Format: +225XXXXXXXX']);
    const taken = await patch('/api/users/me/', { telephone: other.body.telephone }, u.headers);
    assert.deepEqual(taken.json().details.telephone, ['Un utilisateur avec ce numéro de téléphone existe déjà.']);
  });

  test('a new telephone must be verified again', async () => {
    const u = await register(ctx.app);
    await ctx.database.db.update(users).set({ estVerifie: true, dateVerification: new Date() }).where(eq(users.id, u.user.id));
    const same = await patch('/api/users/me/', { telephone: u.body.telephone.replace('+225', '') }, u.headers);
    assert.equal(same.json().est_verifie, true, 'the same number in another format changes nothing');
    const r = await patch('/api/users/me/', { telephone: '+2250799887766' }, u.headers);
    assert.equal(r.statusCode, 200);
    assert.equal(r.json().telephone, '+2250799887766');
    assert.equal(r.json().est_verifie, false);
    assert.equal(r.json().date_verification, null);
  });
});

describe('public profiles', () => {
  test('no email, no telephone; counts; events_count counts VALIDE events for others, all for oneself', async () => {
    const a = await register(ctx.app);
    const b = await register(ctx.app);
    const c = await register(ctx.app);
    await createEvent(a.user.id, 'VALIDE');
    await createEvent(a.user.id, 'VALIDE');
    await createEvent(a.user.id, 'EN_ATTENTE');
    await createEvent(a.user.id, 'BROUILLON');
    await ctx.app.inject({ method: 'POST', url: `/api/users/${a.user.id}/follow/`, headers: b.headers });
    await ctx.app.inject({ method: 'POST', url: `/api/users/${a.user.id}/follow/`, headers: c.headers });
    await ctx.app.inject({ method: 'POST', url: `/api/users/${b.user.id}/follow/`, headers: a.headers });

    const seen = await get(`/api/users/${a.user.id}/`, b.headers);
    assert.equal(seen.statusCode, 200);
    const p = seen.json();
    assert.equal(p.email, undefined);
    assert.equal(p.telephone, undefined);
    assert.doesNotMatch(seen.body, new RegExp(a.body.email.replace('.', '\\.')));
    assert.doesNotMatch(seen.body, /\+225/);
    assert.deepEqual([p.followers_count, p.following_count, p.events_count, p.is_following], [2, 1, 2, true]);
    const anonymous = await get(`/api/users/${a.user.id}/`);
    assert.equal(anonymous.json().is_following, false);
    const self = await get(`/api/users/${a.user.id}/`, a.headers);
    assert.equal(self.json().events_count, 4);
    const me = await get('/api/users/me/', a.headers);
    assert.deepEqual([me.json().followers_count, me.json().following_count, me.json().events_count], [2, 1, 4]);
  });

  test('unknown or deactivated user: 404 in French', async () => {
    assert.equal((await get('/api/users/999999/')).statusCode, 404);
    assert.equal((await get('/api/users/999999/')).json().error, 'Utilisateur introuvable.');
    const u = await register(ctx.app);
    await ctx.database.db.update(users).set({ isActive: false }).where(eq(users.id, u.user.id));
    assert.equal((await get(`/api/users/${u.user.id}/`)).statusCode, 404);
    // Not an id: no such path, as DRF's `<int:pk>` does not match (issue 18).
    assert.equal((await get('/api/users/abc/')).statusCode, 404);
  });

  test("one user cannot read or edit another's private data", async () => {
    const a = await register(ctx.app);
    const b = await register(ctx.app);
    // No route edits someone else: PATCH on another's id does not exist, /me/ is always the caller.
    const edit = await patch(`/api/users/${a.user.id}/`, { bio: 'piraté' }, b.headers);
    assert.ok([404, 405].includes(edit.statusCode), String(edit.statusCode));
    const meB = await patch('/api/users/me/', { bio: 'moi' }, b.headers);
    assert.equal(meB.json().id, b.user.id);
    const aNow = await get('/api/users/me/', a.headers);
    assert.equal(aNow.json().bio, '');
    // Lists and profiles of others never carry email or telephone.
    await ctx.app.inject({ method: 'POST', url: `/api/users/${a.user.id}/follow/`, headers: b.headers });
    for (const url of [`/api/users/${a.user.id}/`, `/api/users/${a.user.id}/followers/`, `/api/users/${b.user.id}/following/`]) {
      const r = await get(url, b.headers);
      assert.equal(r.statusCode, 200);
      assert.ok(!r.body.includes(a.body.email) && !r.body.includes(b.body.email), url);
      assert.ok(!r.body.includes(a.body.telephone) && !r.body.includes(b.body.telephone), url);
    }
    // The export is the caller's own, whoever asks.
    const exp = await get('/api/users/me/export/', b.headers);
    assert.equal(exp.json().profil.id, b.user.id);
    assert.ok(!exp.body.includes(a.body.email));
  });
});

describe('follows', () => {
  test('follow is idempotent (201 then 200), unfollow is idempotent (204), never oneself', async () => {
    const a = await register(ctx.app);
    const b = await register(ctx.app);
    const url = `/api/users/${a.user.id}/follow/`;
    const first = await ctx.app.inject({ method: 'POST', url, headers: b.headers });
    assert.equal(first.statusCode, 201);
    assert.equal(first.json().message, `Vous suivez maintenant ${a.user.username}.`);
    const second = await ctx.app.inject({ method: 'POST', url, headers: b.headers });
    assert.equal(second.statusCode, 200);
    assert.equal((await get(`/api/users/${a.user.id}/`)).json().followers_count, 1);
    const racing = await Promise.all([1, 2, 3].map(() => ctx.app.inject({ method: 'POST', url, headers: b.headers })));
    assert.ok(racing.every((r) => r.statusCode === 200));
    assert.equal((await ctx.app.inject({ method: 'DELETE', url, headers: b.headers })).statusCode, 204);
    assert.equal((await ctx.app.inject({ method: 'DELETE', url, headers: b.headers })).statusCode, 204);
    assert.equal((await get(`/api/users/${a.user.id}/`)).json().followers_count, 0);
    const self = await ctx.app.inject({ method: 'POST', url: `/api/users/${b.user.id}/follow/`, headers: b.headers });
    assert.equal(self.statusCode, 400);
    assert.deepEqual(self.json().details, { non_field_errors: ['Vous ne pouvez pas vous suivre vous-même.'] });
    assert.equal((await ctx.app.inject({ method: 'POST', url: '/api/users/999999/follow/', headers: b.headers })).statusCode, 404);
    assert.equal((await ctx.app.inject({ method: 'POST', url })).statusCode, 401);
  });

  test('followers and following lists are paginated, newest first, deactivated accounts hidden', async () => {
    const star = await register(ctx.app);
    const fans = [];
    for (let i = 0; i < 5; i++) fans.push(await register(ctx.app));
    for (const f of fans) await ctx.app.inject({ method: 'POST', url: `/api/users/${star.user.id}/follow/`, headers: f.headers });
    const page1 = await get(`/api/users/${star.user.id}/followers/?page_size=2`);
    assert.equal(page1.statusCode, 200);
    const body = page1.json();
    assert.equal(body.count, 5);
    assert.equal(body.results.length, 2);
    assert.equal(body.page_info.total_pages, 3);
    assert.ok(body.next.includes('page=2'));
    assert.equal(body.results[0].id, fans[4]!.user.id);
    assert.deepEqual(Object.keys(body.results[0]).sort(), [
      'est_verifie',
      'first_name',
      'id',
      'last_name',
      'photo_profil',
      'photo_profil_miniature',
      'username',
    ]);
    const following = await get(`/api/users/${fans[0]!.user.id}/following/`);
    assert.deepEqual(
      following.json().results.map((r: { id: number }) => r.id),
      [star.user.id],
    );
    await ctx.database.db.update(users).set({ isActive: false }).where(eq(users.id, fans[1]!.user.id));
    const after = await get(`/api/users/${star.user.id}/followers/`);
    assert.equal(after.json().count, 4);
    assert.equal((await get(`/api/users/${star.user.id}/`)).json().followers_count, 4);
    assert.equal((await get(`/api/users/${star.user.id}/followers/?page=9`)).statusCode, 404);
    assert.equal((await get('/api/users/999999/followers/')).statusCode, 404);
  });
});
