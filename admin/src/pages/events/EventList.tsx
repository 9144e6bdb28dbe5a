/** EventAdmin: every event with the manual's columns, filters (status, category, access, creation date), search, CSV. */
import DownloadIcon from '@mui/icons-material/Download';
import { Button } from '@mui/material';
import {
  DataTable,
  DateInput,
  FilterButton,
  List,
  SearchInput,
  SelectInput,
  TopToolbar,
  useGetList,
  useListContext,
  type RaRecord,
} from 'react-admin';
import { API_ROOT } from '../../api';
import { listQuery } from '../../dataProvider';
import { DateTimeField, EVENT_STATUTS, MoneyField, StatusField, choicesOf } from '../../components/fields';

function CategoryFilter(props: { source: string; alwaysOn?: boolean }) {
  const { data = [] } = useGetList('categories', { pagination: { page: 1, perPage: 100 }, sort: { field: 'ordre', order: 'ASC' } });
  return (
    <SelectInput {...props} label="Catégorie" choices={data.map((c) => ({ id: c.id, name: c.actif ? c.nom : `${c.nom} (désactivée)` }))} />
  );
}

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Titre, description, lieu" />,
  <SelectInput key="statut" source="statut" label="Statut" choices={choicesOf(EVENT_STATUTS)} alwaysOn />,
  <CategoryFilter key="categorie" source="categorie" alwaysOn />,
  <SelectInput
    key="type_acces"
    source="type_acces"
    label="Accès"
    choices={[
      { id: 'GRATUIT', name: 'Gratuit' },
      { id: 'PAYANT', name: 'Payant' },
    ]}
  />,
  <DateInput key="date_creation_apres" source="date_creation_apres" />,
  <DateInput key="date_creation_avant" source="date_creation_avant" />,
];

/** The server writes the CSV of the current selection (every page), so the browser only downloads it. */
function CsvExport() {
  const { filterValues, sort } = useListContext();
  const href = `${API_ROOT}/events/export/?${listQuery({ filter: filterValues, sort })}`;
  return (
    <Button size="small" startIcon={<DownloadIcon />} href={href} download>
      Exporter en CSV
    </Button>
  );
}

const Actions = () => (
  <TopToolbar>
    <FilterButton />
    <CsvExport />
  </TopToolbar>
);

export default function EventList() {
  return (
    <List filters={filters} actions={<Actions />} sort={{ field: 'date_creation', order: 'DESC' }} perPage={25} exporter={false}>
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="titre" />
        <DataTable.Col source="createur" disableSort render={(r: RaRecord) => r.createur?.username} />
        <DataTable.Col source="categorie" disableSort render={(r: RaRecord) => r.categorie?.nom} />
        <DataTable.Col source="date_debut">
          <DateTimeField source="date_debut" />
        </DataTable.Col>
        <DataTable.Col source="statut">
          <StatusField source="statut" table={EVENT_STATUTS} />
        </DataTable.Col>
        <DataTable.NumberCol source="participants_count" />
        <DataTable.Col source="recettes" disableSort align="right">
          <MoneyField source="recettes" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
