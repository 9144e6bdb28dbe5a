/** One revision (pending or decided) with its diff; after a decision, back to the queue. */
import { Box } from '@mui/material';
import { Loading, Show, useRecordContext, useRedirect } from 'react-admin';
import { RevisionCard } from './RevisionCard';

function Body() {
  const record = useRecordContext();
  const redirect = useRedirect();
  if (!record) return <Loading />;
  return <RevisionCard record={record} onDone={() => redirect('list', 'revisions')} />;
}

export default function RevisionShow() {
  return (
    <Show title="Révision d’un événement publié" actions={false}>
      <Box sx={{ p: 2 }}>
        <Body />
      </Box>
    </Show>
  );
}
