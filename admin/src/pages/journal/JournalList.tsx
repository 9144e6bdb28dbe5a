/** The journal: every staff action (who, what, when, before → after), newest first, linked to its object. */
import { BooleanInput, DataTable, DateInput, Link, List, TextInput, type RaRecord } from 'react-admin';
import { Changes } from '../../components/Journal';
import { DateTimeField } from '../../components/fields';

const filters = [
  <BooleanInput key="personnel" source="personnel" alwaysOn />,
  <TextInput key="cible" source="cible" label="Objet (ex. event:42)" />,
  <DateInput key="date_debut" source="date_debut" />,
  <DateInput key="date_fin" source="date_fin" />,
];

const ROUTES: Record<string, string> = {
  event: 'events',
  user: 'users',
  categorie: 'categories',
  payment: 'payments',
  abonnement: 'subscriptions',
  forfait: 'subscription-plans',
  notification_template: 'notification-templates',
};
/** Sections that have an edit page and no show page. */
const EDIT_ONLY = new Set(['categories', 'subscription-plans', 'notification-templates']);

function Target({ cible }: { cible: string }) {
  const [kind, id] = cible.split(':');
  const resource = kind ? ROUTES[kind] : undefined;
  if (!resource || !id) return <>{cible}</>;
  return <Link to={`/${resource}/${id}/${EDIT_ONLY.has(resource) ? '' : 'show'}`}>{cible}</Link>;
}

export default function JournalList() {
  return (
    <List filters={filters} filterDefaultValues={{ personnel: true }} perPage={50} exporter={false} sort={{ field: 'id', order: 'DESC' }}>
      <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="date" disableSort>
          <DateTimeField source="date" />
        </DataTable.Col>
        <DataTable.Col source="utilisateur" disableSort render={(r: RaRecord) => r.utilisateur?.username ?? 'système'} />
        <DataTable.Col source="libelle" disableSort />
        <DataTable.Col source="cible" disableSort render={(r: RaRecord) => <Target cible={r.cible} />} />
        <DataTable.Col source="details" disableSort render={(r: RaRecord) => <Changes details={r.details} />} />
      </DataTable>
    </List>
  );
}
