/** Schemas shared by every module's routes: the error body (API.md) and common parameters. */
import { Type, type TSchema } from 'typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Message en français' }),
    code: Type.String({ description: 'Code stable, pour les programmes' }),
    details: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  },
  { $id: 'Error', description: 'Erreur' },
);

/** `errors(400, 401, 404)` → the response entries for those statuses, all with the error body. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

export const MessageResponse = Type.Object({ message: Type.String() });

/** Marks a route as needing `Authorization: Token …` in the OpenAPI document. */
export const tokenAuth = [{ tokenAuth: [] as string[] }];

/** Staff routes under /api/admin/: a staff token, or the browser session of SpotVibe Administration (with X-CSRF-Token). */
export const staffAuth: { [scheme: string]: string[] }[] = [{ tokenAuth: [] }, { staffSession: [] }];
