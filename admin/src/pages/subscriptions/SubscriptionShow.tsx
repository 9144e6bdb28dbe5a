/** One subscription: organizer, plan, period, why it exists; extend an active one with a reason; its journal. */
import { useEffect, useState } from 'react';
import { Box, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import MoreTimeIcon from '@mui/icons-material/MoreTime';
import { Link, Show, useRecordContext } from 'react-admin';
import { apiFetch, apiPost } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { JournalTable, type JournalEntry } from '../../components/Journal';
import { StatusChip, SUBSCRIPTION_NATURES, SUBSCRIPTION_STATUTS } from '../../components/fields';
import { formatDateTime, formatFcfa } from '../../format';

function Extend({ id, fin }: { id: number; fin: string }) {
  const [jours, setJours] = useState('30');
  const days = Number(jours);
  const ok = Number.isInteger(days) && days >= 1 && days <= 3660;
  return (
    <ConfirmAction
      label="Prolonger"
      variant="outlined"
      icon={<MoreTimeIcon />}
      title="Prolonger l’abonnement"
      content={`Il finit le ${formatDateTime(fin)} ; la fin et le délai de grâce sont repoussés du nombre de jours donné, sans paiement.`}
      confirmLabel="Prolonger"
      ready={ok}
      reason={{ label: 'Motif (pour le journal)', minLength: 3 }}
      run={async (motif) => {
        await apiPost(`/subscriptions/${id}/extend/`, { jours: days, motif });
        return 'Abonnement prolongé.';
      }}
    >
      <TextField
        fullWidth
        margin="normal"
        label="Jours en plus"
        type="number"
        value={jours}
        onChange={(e) => setJours(e.target.value)}
        error={!ok}
        helperText={ok ? undefined : 'De 1 à 3 660 jours'}
        slotProps={{ htmlInput: { min: 1, max: 3660 } }}
      />
    </ConfirmAction>
  );
}

function Journal({ id, version }: { id: number; version: string }) {
  const [entries, setEntries] = useState<JournalEntry[] | null>(null);
  useEffect(() => {
    apiFetch(`/journal/?${new URLSearchParams({ cible: `abonnement:${id}`, page_size: '50' })}`).then(
      ({ json }) => setEntries((json as { results: JournalEntry[] }).results),
      () => setEntries([]),
    );
  }, [id, version]);
  return entries ? <JournalTable entries={entries} caption="Journal de l’abonnement" /> : null;
}

function Content() {
  const s = useRecordContext();
  if (!s) return null;
  // Until the detail arrives, react-admin shows the list's row, which names the organizer by number only.
  const o = (s.organisateur as { id: number; username: string } | undefined) ?? {
    id: s.organisateur_id,
    username: `n° ${s.organisateur_id}`,
  };
  const rows: [string, React.ReactNode][] = [
    [
      'Organisateur',
      <Link key="o" to={`/users/${o.id}/show`}>
        {o.username}
      </Link>,
    ],
    ['Formule', `${s.plan.nom} (${formatFcfa(s.plan.prix)} / ${s.plan.duree_jours} jours)`],
    ['Nature', SUBSCRIPTION_NATURES[s.nature] ?? s.nature],
    ['Montant payé', formatFcfa(s.montant)],
    ['Début', formatDateTime(s.date_debut) || '—'],
    ['Fin', formatDateTime(s.date_fin) || '—'],
    ['Délai de grâce jusqu’au', formatDateTime(s.en_grace_jusqu_au) || '—'],
    ['Renouvellement annulé le', formatDateTime(s.annule_le) || '—'],
    ['Motif', s.motif || '—'],
    ['Paiement', s.payment_id ? <Link to={`/payments/${s.payment_id}/show`}>n° {s.payment_id}</Link> : '—'],
  ];
  return (
    <Box sx={{ p: 2 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 2 }}>
        <Typography variant="h6" component="h2">
          Abonnement n° {s.id}
        </Typography>
        <StatusChip value={s.statut} table={SUBSCRIPTION_STATUTS} />
        {s.statut === 'ACTIF' && <Extend id={s.id as number} fin={s.date_fin} />}
      </Stack>
      <Card variant="outlined" sx={{ mb: 2 }}>
        <CardContent>
          <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '4px 16px', margin: 0 }}>
            {rows.map(([k, v]) => (
              <Box key={k} sx={{ display: 'contents' }}>
                <dt>{k}</dt>
                <dd style={{ margin: 0 }}>{v}</dd>
              </Box>
            ))}
          </dl>
        </CardContent>
      </Card>
      <Typography variant="h6" component="h2">
        Journal
      </Typography>
      <Journal id={s.id as number} version={`${s.date_fin}|${s.motif}`} />
    </Box>
  );
}

export default function SubscriptionShow() {
  return (
    <Show title="Abonnement" actions={false}>
      <Content />
    </Show>
  );
}
