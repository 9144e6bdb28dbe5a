/**
 * The admin module: SpotVibe Administration, the staff web interface (/admin/, built from admin/ at the
 * repository's root) and the staff APIs it needs that belong to no other module: the browser session
 * (/api/admin/session/), the dashboard (/api/admin/stats/), the EventAdmin list and CSV export
 * (/api/admin/events/), an account's page (/api/admin/users/{id}/) and the journal (/api/admin/journal/).
 * Moderation, categories, accounts and money are their modules' own routes under /api/admin/.
 */
import { defineModule, modulePlugin } from '../../core/module.js';
import { adminDeps } from './deps.js';
import { sessionRoutes } from './session-routes.js';
import { statsRoutes } from './stats-routes.js';
import { adminEventRoutes } from './events-routes.js';
import { adminUserDetailRoutes } from './users-routes.js';
import { journalRoutes } from './journal-routes.js';
import { uiRoutes } from './ui-routes.js';

const DEPENDENCIES = ['users', 'events', 'tickets', 'payments'];

export const adminModule = defineModule({
  name: 'admin',
  dependencies: DEPENDENCIES,
  plugin: modulePlugin('admin', DEPENDENCIES, async (app) => {
    const deps = adminDeps(app.runtime);
    await app.register(sessionRoutes(deps), { prefix: '/api/admin/session' });
    await app.register(statsRoutes(deps), { prefix: '/api/admin/stats' });
    await app.register(adminEventRoutes(deps), { prefix: '/api/admin/events' });
    await app.register(adminUserDetailRoutes(deps), { prefix: '/api/admin/users' });
    await app.register(journalRoutes(deps), { prefix: '/api/admin/journal' });
    await app.register(uiRoutes(deps));
  }),
});
