/** `/api/auth/…`: password reset, email and phone verification, Google and Facebook sign-in. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { MessageResponse, errors, tokenAuth } from '../../core/schemas.js';
import {
  FacebookBody,
  GoogleBody,
  PhoneCodeBody,
  PhoneCodeSent,
  ResetConfirmBody,
  ResetRequestBody,
  SocialResponse,
  TokenBody,
  TokenQuery,
  UserProfile,
} from './schemas.js';
import { RESET_REQUESTED_MESSAGE, checkResetToken, confirmPasswordReset, requestPasswordReset } from './password-flows.js';
import { confirmEmail, sendEmailVerification, sendPhoneCode, verifyPhoneCode } from './verification.js';
import { verifyFacebookToken, verifyGoogleIdToken } from './social-providers.js';
import { signInWithSocial } from './social.js';
import { toProfile, type Serializer } from './profile.js';
import { publicOrigin } from '../../core/origin.js';
import { requestMeta } from '../../core/audit.js';
import type { AccountsDeps } from './deps.js';

const tags = ['Authentification'];

export function authRoutes(deps: AccountsDeps) {
  return async function routes(fastify: FastifyInstance): Promise<void> {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const ser = (request: FastifyRequest): Serializer => ({ media: deps.media, origin: publicOrigin(request, deps.config.publicBaseUrl) });
    const origin = (request: FastifyRequest) => publicOrigin(request, deps.config.publicBaseUrl);
    const { loginRateLimit, accountRateLimit } = deps.settings;
    const accountLimit = { rateLimit: { max: accountRateLimit.max, timeWindow: accountRateLimit.windowMs } };
    const loginLimit = { rateLimit: { max: loginRateLimit.max, timeWindow: loginRateLimit.windowMs } };

    app.post(
      '/password/reset/',
      {
        config: accountLimit,
        schema: {
          tags,
          summary: 'Mot de passe oublié : recevoir un lien par e-mail',
          description: "La réponse est la même que l'adresse ait un compte ou non.",
          body: ResetRequestBody,
          response: { 200: MessageResponse, ...errors(400, 429) },
        },
      },
      async (request) => {
        await requestPasswordReset(deps, request.body.email, requestMeta(request), origin(request));
        return { message: RESET_REQUESTED_MESSAGE };
      },
    );

    app.get(
      '/password/reset/confirm/',
      {
        config: accountLimit,
        schema: {
          tags,
          summary: 'Vérifier un lien de réinitialisation (sans le consommer)',
          querystring: TokenQuery,
          response: { 200: MessageResponse, ...errors(400, 429) },
        },
      },
      async (request) => {
        await checkResetToken(deps, request.query.token);
        return { message: 'Lien valide : choisissez un nouveau mot de passe.' };
      },
    );

    app.post(
      '/password/reset/confirm/',
      {
        config: accountLimit,
        schema: {
          tags,
          summary: 'Choisir un nouveau mot de passe avec le lien reçu',
          description: 'Le lien ne sert qu’une fois et expire après 1 heure ; toutes les sessions sont fermées.',
          body: ResetConfirmBody,
          response: { 200: MessageResponse, ...errors(400, 429) },
        },
      },
      async (request) => {
        await confirmPasswordReset(deps, request.body, requestMeta(request));
        return { message: 'Mot de passe réinitialisé. Connectez-vous avec votre nouveau mot de passe.' };
      },
    );

    app.post(
      '/email/verify/request/',
      {
        config: accountLimit,
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Recevoir un nouvel e-mail de vérification',
          security: tokenAuth,
          response: { 200: MessageResponse, ...errors(401, 429) },
        },
      },
      async (request) => {
        const r = await sendEmailVerification(deps, currentUser(request).id, origin(request));
        return {
          message: r.alreadyVerified ? 'Votre adresse e-mail est déjà vérifiée.' : 'Un e-mail de vérification vient de vous être envoyé.',
        };
      },
    );

    const emailVerified = { message: 'Adresse e-mail vérifiée. Merci !' };
    app.get(
      '/email/verify/',
      {
        config: accountLimit,
        schema: {
          tags,
          summary: 'Vérifier son adresse e-mail (lien reçu)',
          querystring: TokenQuery,
          response: { 200: MessageResponse, ...errors(400, 429) },
        },
      },
      async (request) => {
        await confirmEmail(deps, request.query.token, requestMeta(request));
        return emailVerified;
      },
    );
    app.post(
      '/email/verify/',
      {
        config: accountLimit,
        schema: {
          tags,
          summary: 'Vérifier son adresse e-mail (jeton reçu)',
          body: TokenBody,
          response: { 200: MessageResponse, ...errors(400, 429) },
        },
      },
      async (request) => {
        await confirmEmail(deps, request.body.token, requestMeta(request));
        return emailVerified;
      },
    );

    app.post(
      '/phone/send-code/',
      {
        config: accountLimit,
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Recevoir un code de vérification par SMS',
          description: 'Code à 6 chiffres, valable 10 minutes, 5 essais ; un nouveau code au plus toutes les 60 secondes.',
          security: tokenAuth,
          response: { 200: PhoneCodeSent, ...errors(400, 401, 429) },
        },
      },
      async (request) => {
        const r = await sendPhoneCode(deps, currentUser(request).id);
        return {
          message: `Un code de vérification a été envoyé au ${r.telephone}.`,
          telephone: r.telephone,
          expire_le: r.expiresAt.toISOString(),
        };
      },
    );

    app.post(
      '/phone/verify/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags,
          summary: 'Vérifier son téléphone avec le code reçu',
          description: 'Met `est_verifie` à true et renseigne `date_verification`.',
          security: tokenAuth,
          body: PhoneCodeBody,
          response: { 200: UserProfile, ...errors(400, 401) },
        },
      },
      async (request) => {
        const p = await verifyPhoneCode(deps, currentUser(request).id, request.body.code, requestMeta(request));
        return toProfile(p.user, p.counts, ser(request));
      },
    );

    app.post(
      '/google/',
      {
        config: loginLimit,
        schema: {
          tags,
          summary: 'Connexion avec Google (ID token)',
          description:
            '200 pour un compte existant (ou lié par son adresse e-mail vérifiée), 201 quand le compte est créé : `telephone` est alors requis.',
          body: GoogleBody,
          response: { 200: SocialResponse, 201: SocialResponse, ...errors(400, 429, 503) },
        },
      },
      async (request, reply) => {
        const profile = await verifyGoogleIdToken(request.body.id_token, deps.settings);
        const r = await signInWithSocial(deps, profile, request.body, requestMeta(request));
        return reply
          .code(r.created ? 201 : 200)
          .send({ token: r.token, created: r.created, user: toProfile(r.user, r.counts, ser(request)) });
      },
    );

    app.post(
      '/facebook/',
      {
        config: loginLimit,
        schema: {
          tags,
          summary: 'Connexion avec Facebook (access token)',
          description: "Le jeton est vérifié par debug_token de l'API Graph. 201 quand le compte est créé : `telephone` est alors requis.",
          body: FacebookBody,
          response: { 200: SocialResponse, 201: SocialResponse, ...errors(400, 429, 503) },
        },
      },
      async (request, reply) => {
        const profile = await verifyFacebookToken(request.body.access_token, deps.settings);
        const r = await signInWithSocial(deps, profile, request.body, requestMeta(request));
        return reply
          .code(r.created ? 201 : 200)
          .send({ token: r.token, created: r.created, user: toProfile(r.user, r.counts, ser(request)) });
      },
    );
  };
}
