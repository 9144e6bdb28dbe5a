/**
 * Where the pending revisions of published events will be moderated, each with the diff of what changed.
 * The events module does not keep revisions yet (the security issue adds them); this card says so, and is
 * the one place to replace with their queue.
 */
import { Alert, Card, CardContent, CardHeader } from '@mui/material';

export function PendingRevisions() {
  return (
    <Card sx={{ mt: 2 }} component="section" aria-labelledby="revisions-title">
      <CardHeader id="revisions-title" title="Révisions d’événements publiés" titleTypographyProps={{ variant: 'h6', component: 'h2' }} />
      <CardContent>
        <Alert severity="info">
          Les modifications d’événements déjà publiés apparaîtront ici, avec les différences à valider, quand la plateforme les conservera
          pour relecture.
        </Alert>
      </CardContent>
    </Card>
  );
}
