/**
 * On the moderation page, below the events' queue: how many changes of published events wait for staff,
 * with the way to their queue (pages/revisions/).
 */
import { Alert, Card, CardContent, CardHeader } from '@mui/material';
import { Button, Link, useGetList } from 'react-admin';
import RateReviewIcon from '@mui/icons-material/RateReview';

export function PendingRevisions() {
  const { total, isPending, error } = useGetList('revisions', { pagination: { page: 1, perPage: 1 }, sort: { field: 'id', order: 'ASC' } });
  const n = total ?? 0;
  return (
    <Card sx={{ mt: 2 }} component="section" aria-labelledby="revisions-title">
      <CardHeader id="revisions-title" title="Révisions d’événements publiés" titleTypographyProps={{ variant: 'h6', component: 'h2' }} />
      <CardContent>
        {error ? (
          <Alert severity="error">{error.message}</Alert>
        ) : (
          <Alert
            severity={n > 0 ? 'warning' : 'info'}
            action={
              <Button component={Link} to="/revisions" label="Voir la file des révisions">
                <RateReviewIcon />
              </Button>
            }
          >
            {isPending
              ? 'Chargement…'
              : n === 0
                ? 'Aucune modification d’événement publié n’attend de validation.'
                : `${n} modification${n > 1 ? 's' : ''} d’événement${n > 1 ? 's' : ''} publié${n > 1 ? 's' : ''} attend${n > 1 ? 'ent' : ''} votre validation ; la version publiée reste affichée jusque-là.`}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
