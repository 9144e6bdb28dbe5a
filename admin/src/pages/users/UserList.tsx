import { BooleanInput, DataTable, List, SearchInput, type RaRecord } from 'react-admin';
import { Chip } from '@mui/material';
import { DateTimeField } from '../../components/fields';

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Nom, e-mail, téléphone" />,
  <BooleanInput key="is_active" source="is_active" label="Actifs" />,
  <BooleanInput key="is_staff" source="is_staff" label="Personnel" />,
];

export default function UserList() {
  return (
    <List filters={filters} perPage={25} exporter={false} sort={{ field: 'id', order: 'DESC' }}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="username" disableSort />
        <DataTable.Col source="first_name" disableSort />
        <DataTable.Col source="last_name" disableSort />
        <DataTable.Col source="email_masque" disableSort />
        <DataTable.Col
          source="is_active"
          disableSort
          render={(r: RaRecord) => (
            <>
              {!r.is_active && <Chip size="small" color="error" label={r.supprime ? 'Supprimé' : 'Désactivé'} />}
              {r.is_staff && (
                <Chip size="small" color="primary" label={r.is_superuser ? 'Super-utilisateur' : 'Personnel'} sx={{ ml: 0.5 }} />
              )}
            </>
          )}
        />
        <DataTable.Col source="date_creation" disableSort>
          <DateTimeField source="date_creation" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
