/**
 * The moderation queue (the manual's EventAdmin actions): pending events oldest first; select some to approve
 * or reject them together, each after a confirmation; open one to read it whole.
 */
import { Card, CardContent, Typography } from '@mui/material';
import CheckIcon from '@mui/icons-material/Check';
import CloseIcon from '@mui/icons-material/Close';
import { DataTable, List, useListContext, useUnselectAll, type RaRecord } from 'react-admin';
import { apiPost } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { DateTimeField } from '../../components/fields';
import { PendingRevisions } from './PendingRevisions';

type Bulk = { message: string; ignores: { id: number; raison: string }[] };
const withIgnored = (r: Bulk) =>
  r.ignores.length ? `${r.message} ${r.ignores.map((i) => `n°${i.id} : ${i.raison}`).join(' ; ')}` : r.message;

function BulkModeration() {
  const { selectedIds } = useListContext();
  const unselectAll = useUnselectAll('moderation');
  const n = selectedIds.length;
  const what = `${n} événement${n > 1 ? 's' : ''}`;
  return (
    <>
      <ConfirmAction
        label="Approuver"
        icon={<CheckIcon />}
        color="success"
        title={`Approuver ${what}`}
        content={`${what} seront publiés et leurs organisateurs prévenus.`}
        run={async () => withIgnored(await apiPost<Bulk>('/events/bulk-approve/', { ids: selectedIds }))}
        onDone={unselectAll}
      />
      <ConfirmAction
        label="Rejeter"
        icon={<CloseIcon />}
        color="error"
        title={`Rejeter ${what}`}
        content="Les organisateurs recevront ce motif et pourront corriger puis soumettre à nouveau."
        reason={{ label: 'Motif du rejet', minLength: 5 }}
        run={async (motif) => withIgnored(await apiPost<Bulk>('/events/bulk-reject/', { ids: selectedIds, motif }))}
        onDone={unselectAll}
      />
    </>
  );
}

const Empty = () => (
  <Card sx={{ mt: 2 }}>
    <CardContent>
      <Typography>Aucun événement en attente de modération.</Typography>
    </CardContent>
  </Card>
);

export default function ModerationList() {
  return (
    <>
      <List title="Modération" sort={{ field: 'date_creation', order: 'ASC' }} perPage={25} empty={<Empty />} exporter={false}>
        <DataTable rowClick="show" bulkActionButtons={<BulkModeration />}>
          <DataTable.Col source="titre" disableSort />
          <DataTable.Col source="createur" disableSort render={(r: RaRecord) => r.createur?.username} />
          <DataTable.Col source="categorie" disableSort render={(r: RaRecord) => r.categorie?.nom} />
          <DataTable.Col source="lieu" disableSort />
          <DataTable.Col source="date_debut" disableSort>
            <DateTimeField source="date_debut" />
          </DataTable.Col>
          <DataTable.Col source="date_creation" disableSort>
            <DateTimeField source="date_creation" />
          </DataTable.Col>
        </DataTable>
      </List>
      <PendingRevisions />
    </>
  );
}
