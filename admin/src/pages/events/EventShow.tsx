/** One event's staff page: everything about it, its organizer and its journal; moderation when it is pending. */
import { Box, Stack, Typography } from '@mui/material';
import { Button, Link, Show, useRecordContext } from 'react-admin';
import { EventContent } from '../moderation/ModerationShow';
import { formatFcfa } from '../../format';

function Figures() {
  const e = useRecordContext();
  if (!e) return null;
  return (
    <Stack direction="row" spacing={3} sx={{ mb: 2 }} alignItems="center">
      <Typography>
        <strong>{e.participants_count}</strong> participant(s) sur {e.capacite_max}
      </Typography>
      <Typography>
        Recettes nettes : <strong>{formatFcfa(e.recettes)}</strong>
      </Typography>
      <Typography>{e.nombre_vues} vue(s)</Typography>
      <Link to={`/payments?filter=${encodeURIComponent(JSON.stringify({ evenement: e.id }))}`}>Voir ses paiements</Link>
      {e.statut === 'EN_ATTENTE' && <Button label="Modérer" to={`/moderation/${e.id}/show`} />}
    </Stack>
  );
}

export default function EventShow() {
  return (
    <Show>
      <Box sx={{ p: 2 }}>
        <Figures />
        <EventContent />
      </Box>
    </Show>
  );
}
