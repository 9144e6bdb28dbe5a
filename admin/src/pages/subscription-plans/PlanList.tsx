/** Plans: price, period, what they allow; deactivated (never deleted once subscribed to) after a confirmation. */
import { Chip } from '@mui/material';
import BlockIcon from '@mui/icons-material/Block';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import { CreateButton, DataTable, List, TopToolbar, type RaRecord } from 'react-admin';
import { apiFetch } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { formatFcfa } from '../../format';

const patch = (id: number, body: object) => apiFetch(`/subscription-plans/${id}/`, { method: 'PATCH', body: JSON.stringify(body) });

/** A plan is switched off, not deleted: its subscribers keep their paid period; it is no longer offered. */
export function PlanToggle({ record }: { record: RaRecord }) {
  if (record.code === 'gratuit') return null;
  return record.actif ? (
    <ConfirmAction
      label="Désactiver"
      color="error"
      icon={<BlockIcon />}
      title={`Désactiver la formule « ${record.nom} »`}
      content="Elle ne sera plus proposée aux organisateurs. Les abonnés en cours gardent leur période payée ; elle ne se renouvelle plus."
      run={async () => {
        await patch(record.id as number, { actif: false });
        return 'Formule désactivée.';
      }}
    />
  ) : (
    <ConfirmAction
      label="Réactiver"
      icon={<CheckCircleIcon />}
      title={`Réactiver la formule « ${record.nom} »`}
      content="Elle sera de nouveau proposée aux organisateurs."
      run={async () => {
        await patch(record.id as number, { actif: true });
        return 'Formule réactivée.';
      }}
    />
  );
}

const yesNo = (v: unknown) => (v ? 'Oui' : 'Non');

export default function PlanList() {
  return (
    <List
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
        <DataTable.Col source="nom" />
        <DataTable.Col source="code" />
        <DataTable.Col source="prix" align="right" render={(r: RaRecord) => formatFcfa(r.prix)} />
        <DataTable.NumberCol source="duree_jours" />
        <DataTable.Col
          source="max_evenements_actifs"
          disableSort
          render={(r: RaRecord) => (r.max_evenements_actifs == null ? 'Illimité' : r.max_evenements_actifs)}
        />
        <DataTable.Col source="evenements_payants" disableSort render={(r: RaRecord) => yesNo(r.evenements_payants)} />
        <DataTable.Col source="commission_pourcentage" disableSort render={(r: RaRecord) => `${r.commission_pourcentage} %`} />
        <DataTable.Col
          source="actif"
          render={(r: RaRecord) => <Chip size="small" color={r.actif ? 'success' : 'default'} label={r.actif ? 'Active' : 'Désactivée'} />}
        />
        <DataTable.Col label="Actions" disableSort render={(r: RaRecord) => <PlanToggle record={r} />} />
      </DataTable>
    </List>
  );
}
