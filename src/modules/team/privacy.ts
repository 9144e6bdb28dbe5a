/** The team module's share of an account's export and erasure (users/hooks.ts). */
import { eq } from 'drizzle-orm';
import type { HookHandlers } from '../../core/hooks.js';
import { eventTeam } from './tables.js';
import '../users/hooks.js';

export const teamPrivacyHooks: HookHandlers = {
  'account.export': async ({ db, userId }) => ({
    equipes: (
      await db
        .select({ evenementId: eventTeam.evenementId, role: eventTeam.role, dateAjout: eventTeam.dateAjout })
        .from(eventTeam)
        .where(eq(eventTeam.utilisateurId, userId))
    ).map((m) => ({ evenement_id: m.evenementId, role: m.role, date_ajout: m.dateAjout.toISOString() })),
  }),
  // An erased account leaves every door team; its scanner tokens go with the memberships (cascade).
  'account.erase': async ({ tx, userId }) => {
    await tx.delete(eventTeam).where(eq(eventTeam.utilisateurId, userId));
  },
};
