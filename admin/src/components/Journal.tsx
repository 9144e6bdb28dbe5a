/** A journal's entries (who, what, when, before → after): an object's page, or the Journal section's rows. */
import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { formatDateTime } from '../format';

export interface JournalEntry {
  id: number;
  date: string;
  action: string;
  libelle: string;
  utilisateur: { id: number; username: string } | null;
  cible: string;
  details: Record<string, unknown>;
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** "statut : EN_ATTENTE → VALIDE", one line per changed field; then the reason, when there is one. */
export function Changes({ details }: { details: Record<string, unknown> }) {
  const avant = (details.avant ?? {}) as Record<string, unknown> | null;
  const apres = (details.apres ?? {}) as Record<string, unknown> | null;
  const keys = [...new Set([...Object.keys(avant ?? {}), ...Object.keys(apres ?? {})])];
  const motif = details.motif as string | undefined;
  return (
    <>
      {keys.map((k) => (
        <Typography key={k} variant="body2" component="div">
          <strong>{k}</strong> : {show(avant?.[k])} → {show(apres?.[k])}
        </Typography>
      ))}
      {motif && (
        <Typography variant="body2" component="div">
          Motif : {motif}
        </Typography>
      )}
    </>
  );
}

export function JournalTable({ entries, caption }: { entries: JournalEntry[]; caption: string }) {
  if (!entries.length) return <Typography variant="body2">Aucune entrée au journal.</Typography>;
  return (
    <Table size="small" aria-label={caption}>
      <TableHead>
        <TableRow>
          <TableCell>Quand</TableCell>
          <TableCell>Qui</TableCell>
          <TableCell>Action</TableCell>
          <TableCell>Changements</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {entries.map((e) => (
          <TableRow key={e.id}>
            <TableCell>{formatDateTime(e.date)}</TableCell>
            <TableCell>{e.utilisateur?.username ?? 'système'}</TableCell>
            <TableCell>{e.libelle}</TableCell>
            <TableCell>
              <Changes details={e.details} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
