/**
 * One revision of a published event: the event, its organizer, when it was proposed, and the diff field by
 * field (published value, proposed value; the cover as two images of this origin), then approve or refuse with
 * a reason, each after a confirmation and only once the server has answered.
 */
import { Box, Card, CardContent, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import { Link, type RaRecord } from 'react-admin';
import { apiPost } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { formatDateTime } from '../../format';

export type Modification = { champ: string; libelle: string; avant: unknown; apres: unknown };

export const REVISION_STATUTS: Record<string, { label: string; color: 'default' | 'warning' | 'success' | 'error' | 'info' }> = {
  EN_ATTENTE: { label: 'En attente', color: 'warning' },
  APPROUVEE: { label: 'Publiée', color: 'success' },
  REJETEE: { label: 'Refusée', color: 'error' },
  REMPLACEE: { label: 'Remplacée', color: 'default' },
  RETIREE: { label: 'Retirée', color: 'default' },
};

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const coordinate = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 6 });

/** A value of the diff, in French: text as written, the category by name, the cover as an image. */
function Value({ m, side, titre }: { m: Modification; side: 'avant' | 'apres'; titre: string }) {
  const v = m[side];
  const empty = (
    <Typography component="span" variant="body2" sx={{ fontStyle: 'italic', color: 'text.secondary' }}>
      (vide)
    </Typography>
  );
  if (v === null || v === undefined || v === '') return empty;
  if (m.champ === 'image') {
    return (
      <Box
        component="img"
        src={String(v)}
        alt={side === 'avant' ? `Affiche publiée de « ${titre} »` : `Affiche proposée pour « ${titre} »`}
        sx={{ maxWidth: 240, maxHeight: 180, display: 'block' }}
      />
    );
  }
  if (m.champ === 'categorie' && typeof v === 'object')
    return <>{(v as { nom?: string }).nom || `Catégorie n°${(v as { id?: number }).id}`}</>;
  if (typeof v === 'number') return <>{coordinate.format(v)}</>;
  return <Box sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{String(v)}</Box>;
}

export function RevisionDiff({ record }: { record: RaRecord }) {
  const mods = (record.modifications ?? []) as Modification[];
  const titre = record.evenement?.titre ?? '';
  return (
    <Table size="small" aria-label={`Différences proposées pour « ${titre} »`}>
      <caption style={{ captionSide: 'top', textAlign: 'left', padding: '4px 0' }}>
        {mods.length} champ{mods.length > 1 ? 's' : ''} modifié{mods.length > 1 ? 's' : ''}
      </caption>
      <TableHead>
        <TableRow>
          <TableCell component="th" scope="col">
            Champ
          </TableCell>
          <TableCell component="th" scope="col">
            Version publiée
          </TableCell>
          <TableCell component="th" scope="col">
            Version proposée
          </TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {mods.map((m) => (
          <TableRow key={m.champ} data-champ={m.champ}>
            <TableCell component="th" scope="row" sx={{ fontWeight: 500, verticalAlign: 'top' }}>
              {capitalized(m.libelle)}
            </TableCell>
            <TableCell sx={{ verticalAlign: 'top', bgcolor: 'rgba(198,40,40,0.06)' }} data-side="avant">
              <Value m={m} side="avant" titre={titre} />
            </TableCell>
            <TableCell sx={{ verticalAlign: 'top', bgcolor: 'rgba(46,125,50,0.08)' }} data-side="apres">
              <Value m={m} side="apres" titre={titre} />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function RevisionDecision({ record, onDone }: { record: RaRecord; onDone?: () => void }) {
  const titre = record.evenement?.titre ?? '';
  const pending = record.statut === 'EN_ATTENTE';
  return (
    <Stack direction="row" spacing={2}>
      <ConfirmAction
        label="Publier la modification"
        variant="contained"
        color="success"
        icon={<CheckIcon />}
        disabled={!pending}
        title={`Publier la modification de « ${titre} »`}
        content="La version proposée remplacera la version publiée ; l’organisateur sera prévenu, et les participants aussi si le lieu change."
        run={async () => (await apiPost<{ message: string }>(`/events/revisions/${record.id}/approve/`)).message}
        onDone={onDone}
      />
      <ConfirmAction
        label="Refuser"
        variant="outlined"
        color="error"
        icon={<CloseIcon />}
        disabled={!pending}
        title={`Refuser la modification de « ${titre} »`}
        content="La version publiée reste affichée ; l’organisateur recevra ce motif."
        reason={{ label: 'Motif du refus', minLength: 5 }}
        run={async (motif) => (await apiPost<{ message: string }>(`/events/revisions/${record.id}/reject/`, { motif })).message}
        onDone={onDone}
      />
    </Stack>
  );
}

export function RevisionCard({ record, onDone }: { record: RaRecord; onDone?: () => void }) {
  const a = record.auteur;
  const status = REVISION_STATUTS[record.statut] ?? { label: record.statut, color: 'default' as const };
  const headingId = `revision-${record.id}-titre`;
  return (
    <Card variant="outlined" component="article" aria-labelledby={headingId} data-revision={record.id} sx={{ mb: 2 }}>
      <CardContent>
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={1} alignItems={{ md: 'center' }} sx={{ mb: 1 }}>
          <Typography variant="h6" component="h2" id={headingId}>
            <Link to={`/events/${record.evenement?.id}/show`}>{record.evenement?.titre}</Link>
          </Typography>
          <Chip size="small" color={status.color} label={status.label} />
        </Stack>
        <Typography variant="body2" sx={{ mb: 1 }}>
          Proposée le {formatDateTime(record.date_creation)} par{' '}
          {a ? (
            <Link to={`/users/${a.id}/show`}>
              {`${a.first_name ?? ''} ${a.last_name ?? ''}`.trim() || a.username} ({a.username})
            </Link>
          ) : (
            'un compte supprimé'
          )}
          {record.date_decision ? ` · décidée le ${formatDateTime(record.date_decision)}` : ''}
        </Typography>
        {record.motif_rejet && (
          <Typography variant="body2" sx={{ mb: 1 }}>
            Motif du refus : {record.motif_rejet}
          </Typography>
        )}
        <RevisionDiff record={record} />
        <Box sx={{ mt: 2 }}>
          <RevisionDecision record={record} onDone={onDone} />
        </Box>
      </CardContent>
    </Card>
  );
}
