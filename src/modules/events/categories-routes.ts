/** `GET /api/events/categories/`: the active categories, in display order (a short list: not paginated). */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { asc, eq } from 'drizzle-orm';
import { eventCategories } from './tables.js';
import { EventCategorySchema } from './schemas.js';

export async function eventCategoryRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/categories/',
    {
      schema: {
        tags: ['événements'],
        summary: "Catégories d'événements",
        response: { 200: Type.Array(EventCategorySchema) },
      },
    },
    async () => {
      const { db } = app.deps.database;
      return db
        .select({
          id: eventCategories.id,
          nom: eventCategories.nom,
          slug: eventCategories.slug,
          description: eventCategories.description,
          icone: eventCategories.icone,
          couleur: eventCategories.couleur,
        })
        .from(eventCategories)
        .where(eq(eventCategories.actif, true))
        .orderBy(asc(eventCategories.ordre), asc(eventCategories.id));
    },
  );
}
