/** One payment with everything that happened to it: status changes, provider callbacks, its refund. */
import { Box, Card, CardContent, Grid, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { Link, Show, useRecordContext, type RaRecord } from 'react-admin';
import { FOURNISSEURS, PAYMENT_STATUTS, REFUND_STATUTS, StatusChip } from '../../components/fields';
import { formatDateTime, formatFcfa } from '../../format';
import { RefundActions } from './RefundActions';

function Summary() {
  const p = useRecordContext();
  if (!p) return null;
  const r = (p.remboursement ?? null) as RaRecord | null;
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 6 }}>
        <Card variant="outlined">
          <CardContent>
            <Stack direction="row" spacing={1} alignItems="center">
              <Typography variant="h6" component="h2">
                {p.reference}
              </Typography>
              <StatusChip value={p.statut} table={PAYMENT_STATUTS} />
            </Stack>
            <Typography variant="h5" sx={{ my: 1 }}>
              {formatFcfa(p.montant)}
            </Typography>
            <Typography variant="body2">
              {FOURNISSEURS[p.fournisseur] ?? p.fournisseur}, {p.telephone}
            </Typography>
            <Typography variant="body2">Référence chez le fournisseur : {p.reference_fournisseur}</Typography>
            {p.event_id && (
              <Typography variant="body2">
                <Link to={`/events/${p.event_id}/show`}>Événement n°{p.event_id}</Link>, {p.quantite} billet(s)
              </Typography>
            )}
            {p.utilisateur_id && (
              <Typography variant="body2">
                <Link to={`/users/${p.utilisateur_id}/show`}>Acheteur n°{p.utilisateur_id}</Link>
              </Typography>
            )}
            <Typography variant="body2">Créé le {formatDateTime(p.date_creation)}</Typography>
            {p.date_finalisation && <Typography variant="body2">Finalisé le {formatDateTime(p.date_finalisation)}</Typography>}
            {p.raison_echec && <Typography variant="body2">Échec : {p.raison_echec}</Typography>}
          </CardContent>
        </Card>
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <Card variant="outlined">
          <CardContent>
            <Typography variant="h6" component="h2">
              Remboursement
            </Typography>
            {r ? (
              <>
                <Stack direction="row" spacing={1} alignItems="center" sx={{ my: 1 }}>
                  <StatusChip value={r.statut} table={REFUND_STATUTS} />
                  <Typography>{formatFcfa(r.montant)}</Typography>
                </Stack>
                <Typography variant="body2">Motif : {r.motif}</Typography>
                {r.raison_echec && <Typography variant="body2">Refus du fournisseur : {r.raison_echec}</Typography>}
                <RefundActions refund={r} />
              </>
            ) : (
              <Typography variant="body2">Aucun.</Typography>
            )}
          </CardContent>
        </Card>
      </Grid>
    </Grid>
  );
}

function History() {
  const p = useRecordContext();
  // The list's row comes first (react-admin shows it while the detail loads): no history in it yet.
  if (!p || !p.historique) return null;
  return (
    <>
      <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
        Historique des statuts
      </Typography>
      <Table size="small" aria-label="Historique des statuts">
        <TableHead>
          <TableRow>
            <TableCell>Quand</TableCell>
            <TableCell>Quoi</TableCell>
            <TableCell>Changement</TableCell>
            <TableCell>Source</TableCell>
            <TableCell>Détails</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {p.historique.map((h: RaRecord, i: number) => (
            <TableRow key={i}>
              <TableCell>{formatDateTime(h.date)}</TableCell>
              <TableCell>
                {{ PAIEMENT: 'Paiement', BILLET: 'Billet', REMBOURSEMENT: 'Remboursement' }[h.entite as string] ?? h.entite} n°{h.entite_id}
              </TableCell>
              <TableCell>
                {h.ancien_statut ?? '—'} → {h.nouveau_statut}
              </TableCell>
              <TableCell>{h.source}</TableCell>
              <TableCell>{h.details && Object.keys(h.details).length ? JSON.stringify(h.details) : ''}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="h6" component="h2" sx={{ mt: 2 }}>
        Rappels du fournisseur
      </Typography>
      {p.rappels.length === 0 ? (
        <Typography variant="body2">Aucun rappel reçu.</Typography>
      ) : (
        <Table size="small" aria-label="Rappels du fournisseur">
          <TableHead>
            <TableRow>
              <TableCell>Reçu le</TableCell>
              <TableCell>Statut annoncé</TableCell>
              <TableCell>Authentifié</TableCell>
              <TableCell>Refusé parce que</TableCell>
              <TableCell>Adresse</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {p.rappels.map((c: RaRecord) => (
              <TableRow key={c.id}>
                <TableCell>{formatDateTime(c.date_reception)}</TableCell>
                <TableCell>{c.statut_fournisseur}</TableCell>
                <TableCell>{c.authentifie ? 'oui' : 'non'}</TableCell>
                <TableCell>{c.motif_rejet}</TableCell>
                <TableCell>{c.ip}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

export default function PaymentShow() {
  return (
    <Show>
      <Box sx={{ p: 2 }}>
        <Summary />
        <History />
      </Box>
    </Show>
  );
}
