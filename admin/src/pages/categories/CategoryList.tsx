import { Box, Chip } from '@mui/material';
import DeleteIcon from '@mui/icons-material/Delete';
import { CreateButton, DataTable, List, SearchInput, TopToolbar, BooleanInput, type RaRecord } from 'react-admin';
import { apiFetch } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';

const filters = [<SearchInput key="q" source="q" alwaysOn />, <BooleanInput key="actif" source="actif" label="Actives" />];

/** Deleting a category that events use deactivates it instead: the dialog says so, the server's answer tells which. */
export function CategoryDelete({ record }: { record: RaRecord }) {
  const used = record.nombre_evenements > 0;
  if (used && !record.actif) return null;
  return (
    <ConfirmAction
      label={used ? 'Désactiver' : 'Supprimer'}
      color="error"
      icon={<DeleteIcon />}
      title={`${used ? 'Désactiver' : 'Supprimer'} la catégorie « ${record.nom} »`}
      content={
        used
          ? `${record.nombre_evenements} événement(s) l’utilisent : elle sera désactivée (plus proposée aux organisateurs ni dans les listes), jamais supprimée.`
          : 'Aucun événement ne l’utilise : elle sera supprimée.'
      }
      run={async () => ((await apiFetch(`/categories/${record.id}/`, { method: 'DELETE' })).json as { message: string }).message}
    />
  );
}

export default function CategoryList() {
  return (
    <List
      filters={filters}
      sort={{ field: 'ordre', order: 'ASC' }}
      perPage={50}
      exporter={false}
      actions={
        <TopToolbar>
          <CreateButton />
        </TopToolbar>
      }
    >
      <DataTable rowClick="edit" bulkActionButtons={false}>
        <DataTable.Col
          source="nom"
          disableSort
          render={(r: RaRecord) => (
            <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 1 }}>
              <Box component="span" aria-hidden sx={{ width: 12, height: 12, borderRadius: '50%', bgcolor: r.couleur }} />
              {r.nom}
            </Box>
          )}
        />
        <DataTable.Col source="slug" disableSort />
        <DataTable.NumberCol source="ordre" disableSort />
        <DataTable.NumberCol source="nombre_evenements" disableSort />
        <DataTable.Col
          source="actif"
          disableSort
          render={(r: RaRecord) => <Chip size="small" color={r.actif ? 'success' : 'default'} label={r.actif ? 'Active' : 'Désactivée'} />}
        />
        <DataTable.Col label="Actions" disableSort render={(r: RaRecord) => <CategoryDelete record={r} />} />
      </DataTable>
    </List>
  );
}
