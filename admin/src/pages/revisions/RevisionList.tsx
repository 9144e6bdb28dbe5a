/**
 * The revisions queue: changes of published events waiting for staff, oldest first (the API's order), each
 * shown whole with its diff and its two decisions, so a moderator reads and decides without leaving the page.
 */
import { Box, Card, CardContent, Typography } from '@mui/material';
import { List, Loading, Pagination, useListContext } from 'react-admin';
import { RevisionCard } from './RevisionCard';

function Queue() {
  const { data, isPending } = useListContext();
  if (isPending) return <Loading />;
  return (
    <Box sx={{ p: 2 }} role="list" aria-label="Modifications en attente, les plus anciennes d’abord">
      {data?.map((r) => (
        <Box role="listitem" key={r.id}>
          <RevisionCard record={r} />
        </Box>
      ))}
    </Box>
  );
}

const Empty = () => (
  <Card sx={{ mt: 2 }}>
    <CardContent>
      <Typography>Aucune modification d’événement publié n’attend de validation.</Typography>
    </CardContent>
  </Card>
);

export default function RevisionList() {
  return (
    <List
      title="Révisions d’événements publiés"
      // The API's order (oldest first); `id` sends no ordering.
      sort={{ field: 'id', order: 'ASC' }}
      perPage={10}
      empty={<Empty />}
      exporter={false}
      actions={false}
      pagination={<Pagination rowsPerPageOptions={[10, 25, 50]} />}
    >
      <Queue />
    </List>
  );
}
