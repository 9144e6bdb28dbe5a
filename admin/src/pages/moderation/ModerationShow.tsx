/** One pending event read whole: its content, its organizer and their record, then approve or reject with a reason. */
import { Box, Card, CardContent, Chip, Divider, Grid, Stack, Typography } from '@mui/material';
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import { Link, Loading, Show, useRecordContext, useRedirect, type RaRecord } from 'react-admin';
import { apiPost } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { JournalTable } from '../../components/Journal';
import { StatusChip, EVENT_STATUTS } from '../../components/fields';
import { formatDateTime, formatFcfa } from '../../format';

function Decision() {
  const record = useRecordContext();
  const redirect = useRedirect();
  if (!record) return null;
  const pending = record.statut === 'EN_ATTENTE';
  return (
    <Stack direction="row" spacing={2} sx={{ my: 2 }}>
      <ConfirmAction
        label="Approuver"
        variant="contained"
        color="success"
        icon={<CheckIcon />}
        disabled={!pending}
        title={`Approuver « ${record.titre} »`}
        content="L’événement sera publié et son organisateur prévenu."
        run={async () => (await apiPost<{ message: string }>(`/events/${record.id}/approve/`)).message}
        onDone={() => redirect('list', 'moderation')}
      />
      <ConfirmAction
        label="Rejeter"
        variant="outlined"
        color="error"
        icon={<CloseIcon />}
        disabled={!pending}
        title={`Rejeter « ${record.titre} »`}
        content="L’organisateur recevra ce motif et pourra corriger puis soumettre à nouveau."
        reason={{ label: 'Motif du rejet', minLength: 5 }}
        run={async (motif) => (await apiPost<{ message: string }>(`/events/${record.id}/reject/`, { motif })).message}
        onDone={() => redirect('list', 'moderation')}
      />
    </Stack>
  );
}

export function EventContent() {
  const e = useRecordContext<RaRecord>();
  // Until the detail arrives, react-admin shows the list's row, which has no organizer details.
  if (!e || !e.organisateur) return <Loading />;
  const o = e.organisateur;
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 8 }}>
        <Card variant="outlined">
          <CardContent>
            <Stack direction="row" spacing={1} alignItems="center" sx={{ mb: 1 }}>
              <Typography variant="h5" component="h2">
                {e.titre}
              </Typography>
              <StatusChip value={e.statut} table={EVENT_STATUTS} />
            </Stack>
            {e.image && (
              <Box component="img" src={e.image} alt={`Affiche de « ${e.titre} »`} sx={{ maxWidth: '100%', maxHeight: 320, mb: 2 }} />
            )}
            {e.description_courte && (
              <Typography variant="subtitle1" gutterBottom>
                {e.description_courte}
              </Typography>
            )}
            <Typography sx={{ whiteSpace: 'pre-wrap' }}>{e.description}</Typography>
            <Divider sx={{ my: 2 }} />
            <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 16px', margin: 0 }}>
              <dt>Catégorie</dt>
              <dd style={{ margin: 0 }}>{e.categorie?.nom}</dd>
              <dt>Début</dt>
              <dd style={{ margin: 0 }}>{formatDateTime(e.date_debut)}</dd>
              <dt>Fin</dt>
              <dd style={{ margin: 0 }}>{formatDateTime(e.date_fin)}</dd>
              <dt>Lieu</dt>
              <dd style={{ margin: 0 }}>
                {e.lieu}
                {e.adresse ? `, ${e.adresse}` : ''}
              </dd>
              <dt>Accès</dt>
              <dd style={{ margin: 0 }}>{e.type_acces === 'PAYANT' ? `Payant, ${formatFcfa(e.prix)}` : 'Gratuit'}</dd>
              <dt>Capacité</dt>
              <dd style={{ margin: 0 }}>{e.capacite_max} places</dd>
              {e.types_billets?.length > 0 && (
                <>
                  <dt>Billets</dt>
                  <dd style={{ margin: 0 }}>
                    {e.types_billets.map((t: RaRecord) => `${t.nom} : ${formatFcfa(t.prix)} × ${t.quantite}`).join(' ; ')}
                  </dd>
                </>
              )}
              {e.motif_rejet && (
                <>
                  <dt>Dernier rejet</dt>
                  <dd style={{ margin: 0 }}>{e.motif_rejet}</dd>
                </>
              )}
            </dl>
          </CardContent>
        </Card>
      </Grid>
      <Grid size={{ xs: 12, md: 4 }}>
        <Card variant="outlined">
          <CardContent>
            <Typography variant="h6" component="h2" gutterBottom>
              Organisateur
            </Typography>
            <Typography>
              <Link to={`/users/${o.id}/show`}>
                {`${o.first_name} ${o.last_name}`.trim() || o.username} ({o.username})
              </Link>
            </Typography>
            <Typography variant="body2">{o.email_masque}</Typography>
            <Typography variant="body2">{o.telephone_masque}</Typography>
            <Typography variant="body2">Inscrit le {formatDateTime(o.date_creation)}</Typography>
            <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: 'wrap' }}>
              {o.est_verifie && <Chip size="small" color="success" label="Vérifié" />}
              {!o.is_active && <Chip size="small" color="error" label="Désactivé" />}
            </Stack>
            <Typography variant="body2" sx={{ mt: 1 }}>
              {o.nombre_evenements} événement(s) : {o.evenements_valides} validé(s), {o.evenements_rejetes} rejeté(s)
            </Typography>
          </CardContent>
        </Card>
      </Grid>
      <Grid size={12}>
        <Typography variant="h6" component="h2">
          Journal
        </Typography>
        <JournalTable entries={e.journal ?? []} caption="Journal de l’événement" />
      </Grid>
    </Grid>
  );
}

export default function ModerationShow() {
  return (
    <Show title="Modération" actions={false}>
      <Box sx={{ p: 2 }}>
        <Decision />
        <EventContent />
      </Box>
    </Show>
  );
}
