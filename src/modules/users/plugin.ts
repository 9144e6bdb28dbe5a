/**
 * The accounts module: who is calling (the token lookup behind every request's authentication), the
 * /api/users/, /api/auth/ and /api/admin/users/ routes, the account jobs, and the account's data-rights
 * hooks (`account.export`, `account.erase`, raised here for other modules to answer).
 */
import { registerAuthentication } from '../../core/auth.js';
import { defineModule, modulePlugin } from '../../core/module.js';
import { accountsDeps } from './deps.js';
import { findUserByToken } from './api-tokens.js';
import { userRoutes } from './routes.js';
import { authRoutes } from './auth-routes.js';
import { adminUserRoutes } from './admin-routes.js';
import { accountPageRoutes } from './page-routes.js';
import { passwordResetJob } from './password-flows.js';
import { purgeSecretsJob } from './cleanup.js';

export const usersModule = defineModule({
  name: 'users',
  dependencies: [],
  jobs: [passwordResetJob, purgeSecretsJob],
  plugin: modulePlugin('users', [], async (app) => {
    const deps = accountsDeps(app.runtime);
    // Every later route sees `request.user` (this plugin is not encapsulated: its hook applies app-wide).
    registerAuthentication(app, (key) => findUserByToken(deps.db, key, deps.settings.tokenLifetime), {
      secret: deps.config.secretKey,
      secureCookies: !deps.config.debug,
    });
    await app.register(userRoutes(deps), { prefix: '/api/users' });
    await app.register(authRoutes(deps), { prefix: '/api/auth' });
    await app.register(adminUserRoutes(deps), { prefix: '/api/admin/users' });
    await app.register(accountPageRoutes);
  }),
});
