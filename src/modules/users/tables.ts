/**
 * The manual's User model (Django's AbstractUser fields plus SpotVibe's), API tokens, follows, and the
 * login attempts the manual's cleanup command prunes (LoginAttempt; the AuditLog is core/audit.ts).
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  inet,
  integer,
  pgTable,
  serial,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    username: varchar('username', { length: 150 }).notNull(),
    email: varchar('email', { length: 254 }).notNull(),
    password: varchar('password', { length: 255 }).notNull(),
    firstName: varchar('first_name', { length: 150 }).notNull().default(''),
    lastName: varchar('last_name', { length: 150 }).notNull().default(''),
    isStaff: boolean('is_staff').notNull().default(false),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    lastLogin: ts('last_login'),
    // SpotVibe fields (manual: apps/users/models.py)
    telephone: varchar('telephone', { length: 20 }).notNull(),
    dateNaissance: date('date_naissance', { mode: 'string' }),
    photoProfil: varchar('photo_profil', { length: 255 }).notNull().default(''),
    /** The photo's small WebP variant (core/media.ts), for slow connections. */
    photoMiniature: varchar('photo_miniature', { length: 255 }).notNull().default(''),
    bio: varchar('bio', { length: 500 }).notNull().default(''),
    estVerifie: boolean('est_verifie').notNull().default(false),
    dateVerification: ts('date_verification'),
    emailVerifie: boolean('email_verifie').notNull().default(false),
    notificationsEmail: boolean('notifications_email').notNull().default(true),
    notificationsPush: boolean('notifications_push').notNull().default(true),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    dateModification: ts('date_modification').notNull().defaultNow(),
    derniereConnexionIp: inet('derniere_connexion_ip'),
    /** Set when the account was deleted: the row stays (payments point at it) but holds no personal data. */
    dateSuppression: ts('date_suppression'),
  },
  (t) => [
    // Case-insensitive uniqueness is the database's job, so that two racing registrations cannot both win.
    uniqueIndex('users_username_lower_uniq').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_uniq').on(sql`lower(${t.email})`),
    uniqueIndex('users_telephone_uniq').on(t.telephone),
    index('users_date_creation_idx').on(t.dateCreation),
  ],
);

export const AUTH_TOKEN_TYPES = ['API', 'SESSION_PERSONNEL'] as const;
export type AuthTokenType = (typeof AUTH_TOKEN_TYPES)[number];

/**
 * Opaque keys: only the SHA-256 of the key is stored (the key has 256 bits of entropy). Two kinds:
 * - `API`: sent as `Authorization: Token <key>` by the apps; no expiry (revoked by logout, a password change,
 *   a deactivation or an erasure);
 * - `SESSION_PERSONNEL`: a staff member's browser session of SpotVibe Administration, carried only by an
 *   httpOnly cookie and valid only until `expire_le`. Being a row here, it ends with everything that ends a
 *   user's tokens (deactivation, password change, erasure).
 */
export const authTokens = pgTable(
  'auth_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    keyHash: varchar('key_hash', { length: 64 }).notNull(),
    type: varchar('type', { length: 20, enum: AUTH_TOKEN_TYPES }).notNull().default('API'),
    expireLe: ts('expire_le'),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    derniereUtilisation: ts('derniere_utilisation'),
    userAgent: varchar('user_agent', { length: 255 }).notNull().default(''),
  },
  (t) => [
    uniqueIndex('auth_tokens_key_hash_uniq').on(t.keyHash),
    index('auth_tokens_user_idx').on(t.userId),
    check('auth_tokens_type', sql`${t.type} IN ('API', 'SESSION_PERSONNEL')`),
    check('auth_tokens_session_expire', sql`${t.type} = 'API' OR ${t.expireLe} IS NOT NULL`),
  ],
);

export const follows = pgTable(
  'follows',
  {
    id: serial('id').primaryKey(),
    followerId: integer('follower_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    followedId: integer('followed_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('follows_pair_uniq').on(t.followerId, t.followedId),
    index('follows_followed_idx').on(t.followedId),
    check('follows_not_self', sql`${t.followerId} <> ${t.followedId}`),
  ],
);

export const loginAttempts = pgTable(
  'login_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    login: varchar('login', { length: 254 }).notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'set null' }),
    ip: inet('ip'),
    succes: boolean('succes').notNull(),
    userAgent: varchar('user_agent', { length: 255 }).notNull().default(''),
    dateTentative: ts('date_tentative').notNull().defaultNow(),
  },
  (t) => [
    index('login_attempts_user_date_idx').on(t.userId, t.dateTentative),
    index('login_attempts_date_idx').on(t.dateTentative),
    // Failures against a login that matches no account are counted by the login itself (see lockout.ts).
    index('login_attempts_login_date_idx').on(t.login, t.dateTentative),
  ],
);

export const ACCOUNT_TOKEN_PURPOSES = ['password_reset', 'email_verification'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * Single-use links sent by email (password reset, email verification). Only the SHA-256 of the secret is
 * stored, so a leaked table cannot be replayed; `used_at` is set by a guarded UPDATE so a link works once
 * even when clicked twice at the same moment.
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: varchar('purpose', { length: 32, enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: varchar('token_hash', { length: 64 }).notNull(),
    /** The address the link was sent to: a link for an address the account no longer has is void. */
    email: varchar('email', { length: 254 }).notNull(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('account_tokens_hash_uniq').on(t.tokenHash),
    index('account_tokens_user_purpose_idx').on(t.userId, t.purpose),
    check('account_tokens_purpose', sql`${t.purpose} IN ('password_reset', 'email_verification')`),
  ],
);

/**
 * 6-digit SMS codes. A code has only 10^6 values, so it is stored as an HMAC keyed by SECRET_KEY (a plain
 * hash of a leaked row is reversed in a millisecond) and allows a few tries before it is void.
 */
export const phoneVerificationCodes = pgTable(
  'phone_verification_codes',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    telephone: varchar('telephone', { length: 20 }).notNull(),
    codeHash: varchar('code_hash', { length: 64 }).notNull(),
    tentatives: integer('tentatives').notNull().default(0),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    dateCreation: ts('date_creation').notNull().defaultNow(),
  },
  (t) => [index('phone_codes_user_idx').on(t.userId, t.dateCreation), check('phone_codes_tentatives', sql`${t.tentatives} >= 0`)],
);

export const SOCIAL_PROVIDERS = ['google', 'facebook'] as const;
export type SocialProvider = (typeof SOCIAL_PROVIDERS)[number];

/** A Google or Facebook account linked to a SpotVibe account, by the provider's stable subject id. */
export const socialIdentities = pgTable(
  'social_identities',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: varchar('provider', { length: 20, enum: SOCIAL_PROVIDERS }).notNull(),
    subject: varchar('subject', { length: 255 }).notNull(),
    email: varchar('email', { length: 254 }).notNull().default(''),
    dateCreation: ts('date_creation').notNull().defaultNow(),
    derniereConnexion: ts('derniere_connexion'),
  },
  (t) => [
    uniqueIndex('social_identities_provider_subject_uniq').on(t.provider, t.subject),
    uniqueIndex('social_identities_user_provider_uniq').on(t.userId, t.provider),
    check('social_identities_provider', sql`${t.provider} IN ('google', 'facebook')`),
  ],
);

export type UserRow = typeof users.$inferSelect;

// The authenticated user (core/auth.ts) is the whole row: every module may read any of its fields.
declare module '../../core/auth.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AuthUser extends UserRow {}
}
