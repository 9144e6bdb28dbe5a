/** Refunds, with the ones that need staff first in mind: failed (retry) and manual (settle). */
import { DataTable, List, SelectInput, type RaRecord } from 'react-admin';
import { Link } from 'react-admin';
import { DateTimeField, MoneyField, REFUND_STATUTS, StatusField, choicesOf } from '../../components/fields';
import { RefundActions } from '../payments/RefundActions';

const filters = [<SelectInput key="statut" source="statut" label="Statut" choices={choicesOf(REFUND_STATUTS)} alwaysOn />];

export default function RefundList() {
  return (
    <List filters={filters} perPage={25} exporter={false} sort={{ field: 'id', order: 'DESC' }}>
      <DataTable bulkActionButtons={false} rowClick={false}>
        <DataTable.Col source="id" disableSort label="N°" />
        <DataTable.Col
          source="payment_id"
          disableSort
          render={(r: RaRecord) => <Link to={`/payments/${r.payment_id}/show`}>Paiement n°{r.payment_id}</Link>}
        />
        <DataTable.Col source="statut" disableSort>
          <StatusField source="statut" table={REFUND_STATUTS} />
        </DataTable.Col>
        <DataTable.Col source="montant" disableSort align="right">
          <MoneyField source="montant" />
        </DataTable.Col>
        <DataTable.Col source="motif" disableSort />
        <DataTable.Col source="raison_echec" disableSort />
        <DataTable.Col source="date_creation" disableSort>
          <DateTimeField source="date_creation" />
        </DataTable.Col>
        <DataTable.Col label="Actions" disableSort render={(r: RaRecord) => <RefundActions refund={r} />} />
      </DataTable>
    </List>
  );
}
