/**
 * `/api/admin/session/`: signing in to SpotVibe Administration from the browser (see core/auth.ts for the
 * cookie and CSRF design). POST signs in (staff only), GET tells who is signed in and hands the page its CSRF
 * token again after a reload, DELETE signs out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { csrfTokenFor, currentUser, permissions, STAFF_SESSION_PATH, staffSessionCookieName, type AuthUser } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { errors, staffAuth } from '../../core/schemas.js';
import { closeStaffSession, openStaffSession } from '../users/login.js';
import { LoginBody } from '../users/schemas.js';
import type { AdminDeps } from './deps.js';

const tags = ['administration'];

const SessionAnswer = Type.Object({
  csrf_token: Type.Union([Type.String(), Type.Null()], {
    description: 'À renvoyer dans l’en-tête X-CSRF-Token de chaque requête qui modifie (null hors session navigateur)',
  }),
  expire_le: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  user: Type.Object({
    id: Type.Integer(),
    username: Type.String(),
    full_name: Type.String(),
    is_superuser: Type.Boolean(),
    roles: Type.Array(Type.String(), { description: '`staff`, et `superuser` pour un super-utilisateur' }),
  }),
});

function sessionUser(u: AuthUser) {
  const full = `${u.firstName} ${u.lastName}`.trim();
  return {
    id: u.id,
    username: u.username,
    full_name: full || u.username,
    is_superuser: u.isSuperuser,
    roles: u.isSuperuser ? ['staff', 'superuser'] : ['staff'],
  };
}

export function sessionRoutes(deps: AdminDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const secure = !deps.config.debug;
    const cookieName = staffSessionCookieName(secure);
    const { loginRateLimit } = deps.accounts.settings;
    const clear = (reply: FastifyReply) =>
      reply.clearCookie(cookieName, { path: STAFF_SESSION_PATH, httpOnly: true, sameSite: 'strict', secure });

    app.post(
      '/',
      {
        prefixTrailingSlash: 'slash',
        config: { rateLimit: { max: loginRateLimit.max, timeWindow: loginRateLimit.windowMs } },
        schema: {
          tags,
          summary: 'Se connecter à SpotVibe Administration (personnel seulement)',
          description:
            'Les mêmes règles que la connexion des applications (verrouillage après plusieurs échecs). Un compte qui ' +
            'n’est pas du personnel reçoit 403 `staff_only`. Pose le cookie de session (httpOnly, SameSite=Strict, ' +
            'Secure en production, limité à /api/admin/).',
          body: LoginBody,
          response: { 200: SessionAnswer, ...errors(400, 403, 429) },
        },
      },
      async (request, reply) => {
        const s = await openStaffSession(deps.accounts, request.body, requestMeta(request), deps.sessionLifetimeMs);
        void reply.setCookie(cookieName, s.key, {
          path: STAFF_SESSION_PATH,
          httpOnly: true,
          sameSite: 'strict',
          secure,
          expires: s.expireLe,
        });
        return { csrf_token: csrfTokenFor(s.key, deps.config.secretKey), expire_le: s.expireLe.toISOString(), user: sessionUser(s.user) };
      },
    );

    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        preValidation: permissions.IsStaff,
        schema: {
          tags,
          summary: 'La session en cours et son jeton CSRF',
          security: staffAuth,
          response: { 200: SessionAnswer, ...errors(401, 403) },
        },
      },
      async (request: FastifyRequest, reply) => {
        void reply.header('cache-control', 'no-store');
        const session = request.staffSession;
        return {
          csrf_token: session ? csrfTokenFor(session.key, deps.config.secretKey) : null,
          expire_le: session?.expireLe?.toISOString() ?? null,
          user: sessionUser(currentUser(request)),
        };
      },
    );

    app.delete(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags,
          summary: 'Se déconnecter (la session cesse aussitôt de fonctionner)',
          security: staffAuth,
          response: { 204: Type.Null(), ...errors(403) },
        },
      },
      async (request, reply) => {
        const session = request.staffSession;
        if (session && request.user) await closeStaffSession(deps.accounts, request.user.id, session.key, requestMeta(request));
        clear(reply);
        return reply.code(204).send(null);
      },
    );
  };
}
