/**
 * The team module (issue 12): an event's door staff (`/api/events/{id}/equipe/`), their roles, and the scanner
 * tokens the authentication hook accepts on check-in routes only. Other modules ask `access.ts` who may act.
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import { registerScannerTokenLookup } from '../../core/auth.js';
import { teamDeps } from './deps.js';
import { teamRoutes } from './routes.js';
import { findScannerToken } from './access.js';
import { teamPrivacyHooks } from './privacy.js';

export const teamModule = defineModule({
  name: 'team',
  dependencies: ['users', 'events'],
  hooks: () => teamPrivacyHooks,
  plugin: modulePlugin('team', ['users', 'events'], async (app) => {
    const deps = teamDeps(app.runtime);
    registerScannerTokenLookup(app, (key) => findScannerToken(deps.db, key));
    await app.register(teamRoutes(deps), { prefix: '/api/events' });
  }),
});
