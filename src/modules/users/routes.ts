/** `/api/users/…`: the manual's accounts endpoints (API.md, Accounts) plus password change, photo, export, deletion. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { AppError } from '../../core/errors.js';
import { IdParams, MessageResponse, errors, tokenAuth } from '../../core/schemas.js';
import { Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import {
  DeleteAccountBody,
  LoginBody,
  PasswordChangeBody,
  ProfilePatch,
  RegisterBody,
  TokenResponse,
  UserProfile,
  UserPublic,
  UserSummary,
} from './schemas.js';
import { getOwnProfile, registerUser, updateOwnProfile } from './account.js';
import { loginUser, logoutUser } from './login.js';
import { followUser, listFollows, unfollowUser } from './follows.js';
import { changePassword } from './password-flows.js';
import { photoUpload, photoUploads, removeProfilePhoto, setProfilePhoto } from './photos.js';
import { deleteAccount, exportUserData } from './privacy.js';
import { getPublicProfile, toProfile, toPublic, type Serializer } from './profile.js';
import { requestMeta } from '../../core/audit.js';
import { publicOrigin } from '../../core/origin.js';
import type { AccountsDeps } from './deps.js';

const tags = ['Comptes'];

export function userRoutes(deps: AccountsDeps) {
  return async function routes(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ser = (request: FastifyRequest): Serializer => ({ media: deps.media, origin: publicOrigin(request, deps.config.publicBaseUrl) });
    const { loginRateLimit, accountRateLimit } = deps.settings;

    app.post(
      '/register/',
      {
        config: { rateLimit: { max: accountRateLimit.max, timeWindow: accountRateLimit.windowMs } },
        schema: {
          tags,
          summary: 'Inscription',
          description: 'Crée un compte et renvoie son jeton. Un e-mail de vérification est envoyé.',
          body: RegisterBody,
          response: { 201: TokenResponse, ...errors(400, 429) },
        },
      },
      async (request, reply) => {
        const r = await registerUser(deps, request.body, requestMeta(request), publicOrigin(request, deps.config.publicBaseUrl));
        return reply.code(201).send({ token: r.token, user: toProfile(r.user, r.counts, ser(request)) });
      },
    );

    app.post(
      '/login/',
      {
        config: { rateLimit: { max: loginRateLimit.max, timeWindow: loginRateLimit.windowMs } },
        schema: {
          tags,
          summary: 'Connexion',
          description:
            "`login` : adresse e-mail, nom d'utilisateur ou téléphone. 429 quand le compte est verrouillé ou l'adresse IP limitée.",
          body: LoginBody,
          response: { 200: TokenResponse, ...errors(400, 429) },
        },
      },
      async (request) => {
        const r = await loginUser(deps, request.body, requestMeta(request));
        return { token: r.token, user: toProfile(r.user, r.counts, ser(request)) };
      },
    );

    app.post(
      '/logout/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Déconnexion (révoque le jeton utilisé)',
          security: tokenAuth,
          response: { 204: Type.Null(), ...errors(401) },
        },
      },
      async (request, reply) => {
        await logoutUser(deps, currentUser(request).id, request.authTokenId!, requestMeta(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/me/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: { tags, summary: 'Mon profil', security: tokenAuth, response: { 200: UserProfile, ...errors(401) } },
      },
      async (request) => {
        const p = await getOwnProfile(deps, currentUser(request).id);
        return toProfile(p.user, p.counts, ser(request));
      },
    );

    for (const method of ['PATCH', 'PUT'] as const) {
      app.route({
        method,
        url: '/me/',
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: method === 'PATCH' ? 'Modifier mon profil' : 'Modifier mon profil (comme PATCH)',
          security: tokenAuth,
          body: ProfilePatch,
          response: { 200: UserProfile, ...errors(400, 401) },
        },
        handler: async (request) => {
          const p = await updateOwnProfile(deps, currentUser(request).id, request.body, requestMeta(request));
          return toProfile(p.user, p.counts, ser(request));
        },
      });
    }

    app.post(
      '/me/photo/',
      {
        preValidation: permissions.IsAuthenticated,
        config: { uploads: photoUploads(deps.settings.photoMaxBytes) },
        schema: {
          tags,
          summary: 'Envoyer ma photo de profil',
          description: `multipart/form-data, champ « photo » : JPEG, PNG ou WebP (reconnus à leur contenu), ${Math.floor(deps.settings.photoMaxBytes / 1024)} Ko au plus.`,
          security: tokenAuth,
          consumes: ['multipart/form-data'],
          response: { 200: UserProfile, ...errors(400, 401, 413, 415) },
        },
      },
      async (request) => {
        if (!request.isMultipart())
          throw new AppError(415, 'unsupported_media_type', 'Envoyez la photo en multipart/form-data (champ « photo »).');
        const photo = photoUpload(request.uploads ?? []);
        const p = await setProfilePhoto(deps, currentUser(request).id, photo);
        return toProfile(p.user, p.counts, ser(request));
      },
    );

    app.delete(
      '/me/photo/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: { tags, summary: 'Retirer ma photo de profil', security: tokenAuth, response: { 200: UserProfile, ...errors(401) } },
      },
      async (request) => {
        const p = await removeProfilePhoto(deps, currentUser(request).id);
        return toProfile(p.user, p.counts, ser(request));
      },
    );

    app.post(
      '/me/password/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Changer mon mot de passe',
          description: 'Les autres sessions (jetons) sont fermées ; celle-ci reste ouverte.',
          security: tokenAuth,
          body: PasswordChangeBody,
          response: { 200: MessageResponse, ...errors(400, 401) },
        },
      },
      async (request) => {
        await changePassword(deps, currentUser(request).id, request.authTokenId, request.body, requestMeta(request));
        return { message: 'Mot de passe modifié. Vos autres sessions ont été fermées.' };
      },
    );

    app.get(
      '/me/export/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Exporter mes données',
          description: 'Tout ce que SpotVibe conserve sur vous, en JSON.',
          security: tokenAuth,
          response: {
            200: Type.Object({ exporte_le: Type.String(), profil: UserProfile }, { additionalProperties: true }),
            ...errors(401),
          },
        },
      },
      async (request, reply) => {
        const data = await exportUserData(deps, currentUser(request).id, ser(request), requestMeta(request));
        void reply.header('content-disposition', `attachment; filename="spotvibe-donnees-${currentUser(request).id}.json"`);
        return data;
      },
    );

    app.post(
      '/me/delete/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Supprimer mon compte',
          description:
            'Efface ou anonymise vos données personnelles ; les paiements sont conservés sans lien avec vous. Mot de passe requis (ou « SUPPRIMER » pour un compte Google/Facebook sans mot de passe).',
          security: tokenAuth,
          body: DeleteAccountBody,
          response: { 204: Type.Null(), ...errors(400, 401) },
        },
      },
      async (request, reply) => {
        await deleteAccount(deps, currentUser(request).id, request.body, requestMeta(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/:id/',
      {
        schema: { tags, summary: "Profil public d'un utilisateur", params: IdParams, response: { 200: UserPublic, ...errors(404) } },
      },
      async (request) => {
        return toPublic(await getPublicProfile(deps, request.params.id, request.user?.id ?? null), ser(request));
      },
    );

    app.post(
      '/:id/follow/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Suivre un utilisateur',
          description: '201 la première fois, 200 ensuite (idempotent).',
          security: tokenAuth,
          params: IdParams,
          response: {
            200: Type.Object({ message: Type.String(), following: Type.Boolean() }),
            201: Type.Object({ message: Type.String(), following: Type.Boolean() }),
            ...errors(400, 401, 404),
          },
        },
      },
      async (request, reply) => {
        const r = await followUser(deps, currentUser(request).id, request.params.id);
        return reply
          .code(r.created ? 201 : 200)
          .send({ message: r.created ? `Vous suivez maintenant ${r.username}.` : `Vous suivez déjà ${r.username}.`, following: true });
      },
    );

    app.delete(
      '/:id/follow/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Ne plus suivre un utilisateur (idempotent)',
          security: tokenAuth,
          params: IdParams,
          response: { 204: Type.Null(), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        await unfollowUser(deps, currentUser(request).id, request.params.id);
        return reply.code(204).send(null);
      },
    );

    for (const which of ['followers', 'following'] as const) {
      app.get(
        `/:id/${which}/`,
        {
          schema: {
            tags,
            summary: which === 'followers' ? 'Abonnés (qui le suit)' : 'Abonnements (qui il suit)',
            params: IdParams,
            querystring: Type.Object(PaginationQuery),
            response: { 200: Paginated(UserSummary), ...errors(404) },
          },
        },
        async (request) =>
          pageResponse(
            request,
            await listFollows(deps, pageRequest(request.query), request.params.id, which, ser(request)),
            deps.config.publicBaseUrl,
          ),
      );
    }
  };
}
