/** The account pages opened from an email (account-pages.ts), in French, outside the API. */
import type { FastifyInstance } from 'fastify';
import { sendPage, servePageScript } from '../../core/pages.js';
import {
  RESET_PASSWORD_PAGE,
  RESET_PASSWORD_SCRIPT,
  VERIFY_EMAIL_PAGE,
  VERIFY_EMAIL_SCRIPT,
  resetPasswordPage,
  verifyEmailPage,
} from './account-pages.js';

export async function accountPageRoutes(app: FastifyInstance): Promise<void> {
  app.get(VERIFY_EMAIL_PAGE, { schema: { hide: true } }, async (_request, reply) => sendPage(reply, verifyEmailPage));
  app.get(RESET_PASSWORD_PAGE, { schema: { hide: true } }, async (_request, reply) => sendPage(reply, resetPasswordPage));
  servePageScript(app, 'verifier-email.js', VERIFY_EMAIL_SCRIPT);
  servePageScript(app, 'mot-de-passe.js', RESET_PASSWORD_SCRIPT);
}
