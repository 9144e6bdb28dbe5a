/**
 * Staff grant: an organizer (searched by name), a paid plan, a number of days and a reason, confirmed in one
 * dialog; the subscription exists once the server has answered (pessimistic), and the grant is in the journal.
 */
import { useEffect, useState } from 'react';
import { Autocomplete, MenuItem, TextField } from '@mui/material';
import CardGiftcardIcon from '@mui/icons-material/CardGiftcard';
import { useRedirect, type RaRecord } from 'react-admin';
import { apiFetch, apiPost } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { formatFcfa } from '../../format';

type UserOption = { id: number; username: string; first_name?: string; last_name?: string };
const userLabel = (u: UserOption) => `${`${u.first_name ?? ''} ${u.last_name ?? ''}`.trim() || u.username} (${u.username})`;

function OrganizerPicker({ value, onChange }: { value: UserOption | null; onChange: (u: UserOption | null) => void }) {
  const [input, setInput] = useState('');
  const [options, setOptions] = useState<UserOption[]>([]);
  useEffect(() => {
    const q = input.trim();
    if (q.length < 2) return;
    let live = true;
    const timer = setTimeout(() => {
      apiFetch(`/users/?${new URLSearchParams({ search: q, page_size: '10' })}`).then(
        ({ json }) => live && setOptions((json as { results: UserOption[] }).results),
        () => live && setOptions([]),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [input]);
  return (
    <Autocomplete
      options={options}
      value={value}
      onChange={(_, v) => onChange(v)}
      inputValue={input}
      onInputChange={(_, v) => setInput(v)}
      getOptionLabel={userLabel}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      filterOptions={(x) => x}
      noOptionsText={input.trim().length < 2 ? 'Tapez au moins 2 lettres' : 'Aucun compte'}
      renderInput={(params) => <TextField {...params} margin="normal" label="Organisateur" helperText="Nom, nom d’utilisateur ou e-mail" />}
    />
  );
}

export function GrantSubscription({ organizer }: { organizer?: UserOption }) {
  const [who, setWho] = useState<UserOption | null>(organizer ?? null);
  const [plans, setPlans] = useState<RaRecord[]>([]);
  const [planId, setPlanId] = useState<number | ''>('');
  const [jours, setJours] = useState('30');
  const redirect = useRedirect();
  useEffect(() => {
    apiFetch('/subscription-plans/').then(
      ({ json }) => setPlans((json as RaRecord[]).filter((p) => p.actif && p.code !== 'gratuit')),
      () => setPlans([]),
    );
  }, []);
  const days = Number(jours);
  const daysOk = Number.isInteger(days) && days >= 1 && days <= 3660;
  return (
    <ConfirmAction
      label="Octroyer un abonnement"
      variant="outlined"
      icon={<CardGiftcardIcon />}
      title="Octroyer un abonnement"
      content="Un abonnement actif, sans paiement, à la suite de la période en cours de l’organisateur s’il en a une. Le motif est inscrit au journal."
      confirmLabel="Octroyer"
      ready={!!who && planId !== '' && daysOk}
      reason={{ label: 'Motif (pour le journal)', minLength: 3 }}
      run={async (motif) => {
        const { subscription } = await apiPost<{ subscription: RaRecord }>('/subscriptions/grant/', {
          organisateur_id: who!.id,
          plan_id: planId,
          jours: days,
          motif,
        });
        redirect('show', 'subscriptions', subscription.id);
        return 'Abonnement octroyé.';
      }}
    >
      {!organizer && <OrganizerPicker value={who} onChange={setWho} />}
      <TextField select fullWidth margin="normal" label="Formule" value={planId} onChange={(e) => setPlanId(Number(e.target.value))}>
        {plans.map((p) => (
          <MenuItem key={p.id} value={p.id}>
            {p.nom} ({formatFcfa(p.prix)} / {p.duree_jours} jours)
          </MenuItem>
        ))}
      </TextField>
      <TextField
        fullWidth
        margin="normal"
        label="Durée (jours)"
        type="number"
        value={jours}
        onChange={(e) => setJours(e.target.value)}
        error={!daysOk}
        helperText={daysOk ? undefined : 'De 1 à 3 660 jours'}
        slotProps={{ htmlInput: { min: 1, max: 3660 } }}
      />
    </ConfirmAction>
  );
}
