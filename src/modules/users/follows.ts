/** Following users: idempotent follow/unfollow (the unique pair index decides races), paginated lists. */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { follows, users } from './tables.js';
import { toSummary, type Serializer } from './profile.js';
import type { AccountsDeps } from './deps.js';
import './hooks.js';

async function requireActiveUser(db: Db, id: number): Promise<{ id: number; username: string }> {
  const [u] = await db
    .select({ id: users.id, username: users.username })
    .from(users)
    .where(and(eq(users.id, id), eq(users.isActive, true)))
    .limit(1);
  if (!u) throw new NotFoundError('Utilisateur introuvable.');
  return u;
}

/** Returns true when this call created the follow, false when it already existed. */
export async function followUser(
  { db, hooks, jobs }: Pick<AccountsDeps, 'db' | 'hooks' | 'jobs'>,
  followerId: number,
  followedId: number,
): Promise<{ created: boolean; username: string }> {
  if (followerId === followedId) throw ValidationError.field('non_field_errors', 'Vous ne pouvez pas vous suivre vous-même.');
  const target = await requireActiveUser(db, followedId);
  // ON CONFLICT DO NOTHING: two identical requests at once end with one row and no error.
  const created = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(follows)
      .values({ followerId, followedId })
      .onConflictDoNothing({ target: [follows.followerId, follows.followedId] })
      .returning({ id: follows.id });
    // The person followed hears of it (notifications module), once per pair whatever the unfollows and returns.
    if (rows.length) await hooks.run('user.followed', { tx, jobs, followerId, followedId });
    return rows.length === 1;
  });
  return { created, username: target.username };
}

export async function unfollowUser({ db }: Pick<AccountsDeps, 'db'>, followerId: number, followedId: number): Promise<void> {
  if (followerId === followedId) throw ValidationError.field('non_field_errors', 'Vous ne pouvez pas vous suivre vous-même.');
  await requireActiveUser(db, followedId);
  await db.delete(follows).where(and(eq(follows.followerId, followerId), eq(follows.followedId, followedId)));
}

/** Followers (who follows `userId`) or following (whom `userId` follows), newest first; deactivated accounts hidden. */
export async function listFollows(
  { db }: Pick<AccountsDeps, 'db'>,
  page: PageRequest,
  userId: number,
  which: 'followers' | 'following',
  s: Serializer,
) {
  await requireActiveUser(db, userId);
  const [mine, other] = which === 'followers' ? [follows.followedId, follows.followerId] : [follows.followerId, follows.followedId];
  const where = and(eq(mine, userId), eq(users.isActive, true));
  return paginate(
    page,
    async () => {
      const [r] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(follows)
        .innerJoin(users, eq(users.id, other))
        .where(where);
      return r!.n;
    },
    async (limit, offset) => {
      const rows = await db
        .select({ u: users })
        .from(follows)
        .innerJoin(users, eq(users.id, other))
        .where(where)
        .orderBy(desc(follows.dateCreation), desc(follows.id))
        .limit(limit)
        .offset(offset);
      return rows.map((r) => toSummary(r.u, s));
    },
  );
}
