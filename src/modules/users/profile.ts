/**
 * Reading users the way the API shows them: the owner's full profile (UserProfileSerializer and the rest of
 * the User model), the public profile, and the short form used in lists. Counts come from the same query.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { MediaStore } from '../../core/media.js';
import { NotFoundError } from '../../core/errors.js';
import { users, type UserRow } from './tables.js';
import type { AccountsDeps } from './deps.js';

export interface Counts {
  followers_count: number;
  following_count: number;
  events_count: number;
}

/**
 * Follows of deactivated accounts are not counted, so counts match the lists. `events_count` counts every
 * event of the user for themselves, only validated ones for anyone else.
 */
// Qualified by hand: Drizzle leaves columns unqualified in one-table selects, which the subqueries' joins make ambiguous.
const UID = sql.raw('"users"."id"');

export function countColumns(allEvents: boolean) {
  return {
    followers_count: sql<number>`(SELECT count(*)::int FROM follows f JOIN users u ON u.id = f.follower_id
      WHERE f.followed_id = ${UID} AND u.is_active)`,
    following_count: sql<number>`(SELECT count(*)::int FROM follows f JOIN users u ON u.id = f.followed_id
      WHERE f.follower_id = ${UID} AND u.is_active)`,
    events_count: allEvents
      ? sql<number>`(SELECT count(*)::int FROM events e WHERE e.createur_id = ${UID})`
      : sql<number>`(SELECT count(*)::int FROM events e WHERE e.createur_id = ${UID} AND e.statut = 'VALIDE')`,
  };
}

export async function loadOwnProfile(db: DbOrTx, userId: number): Promise<{ user: UserRow; counts: Counts } | null> {
  const rows = await db
    .select({ user: users, ...countColumns(true) })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  const r = rows[0];
  return r
    ? { user: r.user, counts: { followers_count: r.followers_count, following_count: r.following_count, events_count: r.events_count } }
    : null;
}

export async function loadPublicProfile(db: DbOrTx, userId: number, viewerId: number | null) {
  const rows = await db
    .select({
      user: users,
      ...countColumns(viewerId === userId),
      is_following: viewerId
        ? sql<boolean>`EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ${viewerId} AND f.followed_id = ${UID})`
        : sql<boolean>`false`,
    })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.isActive, true)))
    .limit(1);
  return rows[0] ?? null;
}

/** The public profile of an active account, or 404. */
export async function getPublicProfile(deps: Pick<AccountsDeps, 'db'>, userId: number, viewerId: number | null) {
  const row = await loadPublicProfile(deps.db, userId, viewerId);
  if (!row) throw new NotFoundError('Utilisateur introuvable.');
  return row;
}

/** Absolute URLs in answers, as DRF's ImageField gives them (`origin`: PUBLIC_BASE_URL, else the request's). */
export interface Serializer {
  media: MediaStore;
  origin: string;
}

export function photoUrl(key: string, s: Serializer): string | null {
  return s.media.url(key, s.origin);
}

export function toProfile(user: UserRow, counts: Counts, s: Serializer) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    telephone: user.telephone,
    photo_profil: photoUrl(user.photoProfil, s),
    photo_profil_miniature: photoUrl(user.photoMiniature, s),
    bio: user.bio,
    date_naissance: user.dateNaissance,
    est_verifie: user.estVerifie,
    date_verification: user.dateVerification?.toISOString() ?? null,
    email_verifie: user.emailVerifie,
    notifications_email: user.notificationsEmail,
    notifications_push: user.notificationsPush,
    is_staff: user.isStaff || user.isSuperuser,
    has_usable_password: user.password.startsWith('$argon2'),
    date_creation: user.dateCreation.toISOString(),
    date_modification: user.dateModification.toISOString(),
    last_login: user.lastLogin?.toISOString() ?? null,
    derniere_connexion_ip: user.derniereConnexionIp,
    ...counts,
  };
}

export function toPublic(row: NonNullable<Awaited<ReturnType<typeof loadPublicProfile>>>, s: Serializer) {
  const u = row.user;
  return {
    id: u.id,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    photo_profil: photoUrl(u.photoProfil, s),
    photo_profil_miniature: photoUrl(u.photoMiniature, s),
    bio: u.bio,
    est_verifie: u.estVerifie,
    date_creation: u.dateCreation.toISOString(),
    followers_count: row.followers_count,
    following_count: row.following_count,
    events_count: row.events_count,
    is_following: row.is_following,
  };
}

export function toSummary(
  u: Pick<UserRow, 'id' | 'username' | 'firstName' | 'lastName' | 'photoProfil' | 'photoMiniature' | 'estVerifie'>,
  s: Serializer,
) {
  return {
    id: u.id,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    photo_profil: photoUrl(u.photoProfil, s),
    photo_profil_miniature: photoUrl(u.photoMiniature, s),
    est_verifie: u.estVerifie,
  };
}
