/** The notification templates: one per type, with its category, whether it is critical and its channels. */
import { Chip, Stack } from '@mui/material';
import { DataTable, List, SearchInput, SelectInput, type RaRecord } from 'react-admin';
import { CANAUX, CATEGORIES } from './labels';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Type, description" />,
  <SelectInput key="categorie" source="categorie" choices={Object.entries(CATEGORIES).map(([id, name]) => ({ id, name }))} />,
];

export default function TemplateList() {
  return (
    <List filters={filters} sort={{ field: 'type_notification', order: 'ASC' }} perPage={50} exporter={false}>
      <DataTable rowClick="edit" bulkActionButtons={false}>
        <DataTable.Col source="type_notification" />
        <DataTable.Col source="description" disableSort />
        <DataTable.Col source="categorie" render={(r: RaRecord) => CATEGORIES[r.categorie] ?? r.categorie} />
        <DataTable.Col
          source="critique"
          render={(r: RaRecord) => (r.critique ? <Chip size="small" color="warning" label="Critique" /> : 'Non')}
        />
        <DataTable.Col
          source="canaux_par_defaut"
          disableSort
          render={(r: RaRecord) => (
            <Stack direction="row" spacing={0.5}>
              {(r.canaux_par_defaut as string[]).map((c) => (
                <Chip key={c} size="small" variant="outlined" label={CANAUX[c] ?? c} />
              ))}
            </Stack>
          )}
        />
        <DataTable.Col
          source="actif"
          render={(r: RaRecord) => (
            <Chip size="small" color={r.actif ? 'success' : 'default'} label={r.actif ? 'Actif' : 'Texte par défaut'} />
          )}
        />
        <DataTable.NumberCol source="echecs_modele_7j" />
      </DataTable>
    </List>
  );
}
