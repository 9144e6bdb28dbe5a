/**
 * Login with email, username or telephone; LoginAttempt records; temporary lockout after repeated failures.
 *
 * Lockout without a race: each attempt first inserts its own row (as a failure), then counts the failures in
 * the window, its own included. Rows are counted in commit order, so with N allowed failures at most N
 * concurrent attempts can see a count ≤ N: a burst of parallel guesses cannot slip extra tries past the check.
 * A blocked attempt deletes its row, so hammering a locked account does not extend the lock forever.
 * Logins that match no account are counted by the login string, with the same answers: the lockout does not
 * reveal which accounts exist.
 */
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { AppError, ForbiddenError } from '../../core/errors.js';
import { hashPassword, verifyPassword } from '../../core/passwords.js';
import { issueStaffSession, issueToken, revokeKey, revokeToken } from './api-tokens.js';
import type { UserRow } from './tables.js';
import { loginAttempts, users } from './tables.js';
import { normalizeTelephone } from './validators.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { loadOwnProfile } from './profile.js';
import type { AccountsDeps } from './deps.js';

export const BAD_CREDENTIALS = "Impossible de se connecter avec les informations d'identification fournies.";

export class LoginError extends AppError {
  constructor(message: string, code: string, status = 400, headers?: Record<string, string>) {
    super(status, code, message, status === 400 ? { non_field_errors: [message] } : undefined, headers);
  }
}

/**
 * A login that reads as a phone number is that telephone's account first; otherwise email first, then username.
 * (A username cannot be phone-shaped any more, but older ones could: a telephone match always wins, so no one
 * captures another person's phone logins with such a name.)
 */
export async function findUserByLogin(db: DbOrTx, login: string): Promise<UserRow | null> {
  const tel = normalizeTelephone(login);
  const rows = await db
    .select()
    .from(users)
    .where(
      sql`lower(${users.email}) = lower(${login}) OR lower(${users.username}) = lower(${login})${
        tel ? sql` OR ${users.telephone} = ${tel}` : sql``
      }`,
    )
    .orderBy(
      tel
        ? sql`CASE WHEN ${users.telephone} = ${tel} THEN 0 WHEN lower(${users.email}) = lower(${login}) THEN 1 ELSE 2 END`
        : sql`CASE WHEN lower(${users.email}) = lower(${login}) THEN 0 ELSE 1 END`,
    )
    .limit(1);
  return rows[0] ?? null;
}

// Verifying against a fixed hash when the login matches nobody keeps both answers equally slow.
let dummyHash: Promise<string> | null = null;

/**
 * Checks a login and password with the lockout rules; on success returns the account and its attempt row
 * (still recorded as a failure: the caller marks it a success in the transaction that opens the session).
 */
async function authenticate(deps: AccountsDeps, input: { login: string; password: string }, meta: RequestMeta) {
  const login = input.login.trim();
  const loginKey = login.toLowerCase().slice(0, 254);
  const user = await findUserByLogin(deps.db, login);
  const { failures, windowMs } = deps.settings.lockout;

  const [attempt] = await deps.db
    .insert(loginAttempts)
    .values({ login: loginKey, userId: user?.id ?? null, ip: meta.ip, succes: false, userAgent: meta.userAgent })
    .returning({ id: loginAttempts.id });
  const attemptId = attempt!.id;
  // Two lines: `failures` per account and client address (a stranger's guesses lock only the stranger out, the
  // owner at home still gets in), and a slower account-wide one against guesses spread over many addresses.
  const fromHere = await recentFailures(deps.db, user, loginKey, windowMs, meta.ip);
  const everywhere = await recentFailures(deps.db, user, loginKey, windowMs);
  const accountFailures = deps.settings.lockout.accountFailures;
  const lockedHere = fromHere > failures;
  const recent = fromHere;
  if (lockedHere || everywhere > accountFailures) {
    await deps.db.delete(loginAttempts).where(eq(loginAttempts.id, attemptId));
    const retryAfter = lockedHere
      ? await lockRemainingSeconds(deps.db, user, loginKey, windowMs, failures, meta.ip)
      : await lockRemainingSeconds(deps.db, user, loginKey, windowMs, accountFailures);
    const minutes = Math.max(1, Math.ceil(retryAfter / 60));
    throw new LoginError(
      `Trop de tentatives de connexion échouées. Compte temporairement verrouillé : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`,
      'account_locked',
      429,
      { 'Retry-After': String(retryAfter) },
    );
  }

  const ok = user
    ? await verifyPassword(user.password, input.password)
    : await verifyPassword(await (dummyHash ??= hashPassword('spotvibe-factice')), input.password).then(() => false);
  if (!user || !ok) {
    await deps.db.transaction(async (tx) => {
      await audit(tx, { userId: user?.id ?? null, action: 'connexion_echouee', meta, cible: loginKey.slice(0, 100) });
      if (recent === failures || everywhere === accountFailures) {
        await audit(tx, {
          userId: user?.id ?? null,
          action: 'compte_verrouille',
          meta,
          cible: loginKey.slice(0, 100),
          details: { echecs: recent, echecs_toutes_adresses: everywhere },
        });
      }
    });
    throw new LoginError(BAD_CREDENTIALS, 'invalid_credentials');
  }
  if (!user.isActive) throw new LoginError('Ce compte est désactivé.', 'account_disabled');
  return { user, attemptId };
}

async function recordSuccess(tx: DbOrTx, userId: number, attemptId: number, meta: RequestMeta): Promise<void> {
  await tx.update(loginAttempts).set({ succes: true }).where(eq(loginAttempts.id, attemptId));
  await tx
    .update(users)
    .set({ lastLogin: sql`now()`, derniereConnexionIp: meta.ip })
    .where(eq(users.id, userId));
}

export async function loginUser(deps: AccountsDeps, input: { login: string; password: string }, meta: RequestMeta) {
  const { user, attemptId } = await authenticate(deps, input, meta);
  return deps.db.transaction(async (tx) => {
    await recordSuccess(tx, user.id, attemptId, meta);
    const token = await issueToken(tx, user.id, meta.userAgent);
    await audit(tx, { userId: user.id, action: 'connexion', meta });
    return { token, ...(await loadOwnProfile(tx, user.id))! };
  });
}

export const NOT_STAFF = "Ce compte n'a pas accès à SpotVibe Administration : l'accès est réservé au personnel de la plateforme.";

/**
 * Signing in to SpotVibe Administration: the same checks as the apps' login (lockout included), then only
 * staff get a browser session, valid for `lifetimeMs`. A right password on a non-staff account is not a
 * guess (the attempt counts as a success for the lockout) but opens nothing, and says why.
 */
export async function openStaffSession(
  deps: AccountsDeps,
  input: { login: string; password: string },
  meta: RequestMeta,
  lifetimeMs: number,
): Promise<{ key: string; user: UserRow; expireLe: Date }> {
  const { user, attemptId } = await authenticate(deps, input, meta);
  if (!(user.isStaff || user.isSuperuser)) {
    await deps.db.transaction(async (tx) => {
      await tx.update(loginAttempts).set({ succes: true }).where(eq(loginAttempts.id, attemptId));
      await audit(tx, { userId: user.id, action: 'connexion_admin_refusee', meta });
    });
    throw new ForbiddenError(NOT_STAFF, 'staff_only');
  }
  const expireLe = new Date(Date.now() + lifetimeMs);
  return deps.db.transaction(async (tx) => {
    await recordSuccess(tx, user.id, attemptId, meta);
    const key = await issueStaffSession(tx, user.id, meta.userAgent, expireLe);
    await audit(tx, { userId: user.id, action: 'connexion_admin', meta, details: { expire_le: expireLe.toISOString() } });
    return { key, user, expireLe };
  });
}

/** Signing out of SpotVibe Administration: the session's key stops working at once. */
export async function closeStaffSession(deps: AccountsDeps, userId: number, key: string, meta: RequestMeta): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await revokeKey(tx, key);
    await audit(tx, { userId, action: 'deconnexion_admin', meta });
  });
}

/**
 * Failures within the window, and after the account's last success (a good login clears the slate); from one
 * client address when `ip` is given (`undefined`: from anywhere; `null`: attempts with no address).
 */
async function recentFailures(db: DbOrTx, user: UserRow | null, loginKey: string, windowMs: number, ip?: string | null): Promise<number> {
  const since = sql`now() - ${`${Math.round(windowMs / 1000)} seconds`}::interval`;
  const rows = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(loginAttempts)
    .where(
      and(
        user ? eq(loginAttempts.userId, user.id) : and(isNull(loginAttempts.userId), eq(loginAttempts.login, loginKey)),
        eq(loginAttempts.succes, false),
        gt(loginAttempts.dateTentative, since),
        user
          ? sql`${loginAttempts.dateTentative} > coalesce((SELECT max(la.date_tentative) FROM login_attempts la
              WHERE la.user_id = ${user.id} AND la.succes), '-infinity'::timestamptz)`
          : sql`true`,
        fromAddress(ip),
      ),
    );
  return rows[0]!.n;
}

function fromAddress(ip: string | null | undefined) {
  if (ip === undefined) return sql`true`;
  return ip === null ? isNull(loginAttempts.ip) : sql`${loginAttempts.ip} = ${ip}::inet`;
}

/** Seconds until the oldest failure that keeps the lock leaves the window. */
async function lockRemainingSeconds(
  db: DbOrTx,
  user: UserRow | null,
  loginKey: string,
  windowMs: number,
  failures: number,
  ip?: string | null,
) {
  const since = sql`now() - ${`${Math.round(windowMs / 1000)} seconds`}::interval`;
  const rows = await db
    .select({
      left: sql<number>`extract(epoch from (${loginAttempts.dateTentative} + ${`${Math.round(windowMs / 1000)} seconds`}::interval - now()))::float`,
    })
    .from(loginAttempts)
    .where(
      and(
        user ? eq(loginAttempts.userId, user.id) : and(isNull(loginAttempts.userId), eq(loginAttempts.login, loginKey)),
        eq(loginAttempts.succes, false),
        gt(loginAttempts.dateTentative, since),
        fromAddress(ip),
      ),
    )
    .orderBy(desc(loginAttempts.dateTentative))
    .offset(failures - 1)
    .limit(1);
  return Math.max(1, Math.ceil(rows[0]?.left ?? 1));
}

export async function logoutUser(deps: AccountsDeps, userId: number, tokenId: number, meta: RequestMeta): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await revokeToken(tx, tokenId);
    await audit(tx, { userId, action: 'deconnexion', meta });
  });
}
