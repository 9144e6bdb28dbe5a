/** Payments with filters (status, provider, event, dates) and the totals of the selection: gross, refunded, net. */
import { Card, CardContent, Stack, Typography } from '@mui/material';
import { DataTable, DateInput, List, NumberInput, SelectInput, useListContext } from 'react-admin';
import { DateTimeField, FOURNISSEURS, MoneyField, PAYMENT_STATUTS, StatusField, choicesOf } from '../../components/fields';
import { formatFcfa } from '../../format';

const filters = [
  <SelectInput key="statut" source="statut" label="Statut" choices={choicesOf(PAYMENT_STATUTS)} alwaysOn />,
  <SelectInput key="fournisseur" source="fournisseur" label="Fournisseur" choices={choicesOf(FOURNISSEURS)} alwaysOn />,
  <NumberInput key="evenement" source="evenement" label="Événement (n°)" />,
  <DateInput key="date_debut" source="date_debut" alwaysOn />,
  <DateInput key="date_fin" source="date_fin" alwaysOn />,
];

type Totals = {
  par_statut: Record<string, { nombre: number; montant: number }>;
  brut: number;
  rembourse: number;
  rembourse_en_cours: number;
  net: number;
  encaisse: number;
};

/**
 * From the list answer's `totaux`: money that came in (succeeded, refunded since included), refunded, refunds
 * under way, and kept (a payment whose refund is done or under way is not cashed).
 */
function TotalsCard() {
  const { meta } = useListContext() as unknown as { meta?: { totaux?: Totals } };
  const t = meta?.totaux;
  if (!t) return null;
  const ok = t.par_statut.REUSSI ?? { nombre: 0, montant: 0 };
  const back = t.par_statut.REMBOURSE ?? { nombre: 0, montant: 0 };
  const figures: [string, number, string][] = [
    ['Brut', t.brut, `${ok.nombre + back.nombre} paiement(s)`],
    ['Remboursé', t.rembourse, `${back.nombre} paiement(s)`],
    ['Remboursements en cours', t.rembourse_en_cours, 'pas encore rendus'],
    ['Net', t.net, 'encaissé et conservé'],
  ];
  return (
    <Card variant="outlined" sx={{ mb: 1 }} component="section" aria-label="Totaux de la sélection">
      <CardContent>
        <Stack direction="row" spacing={4}>
          {figures.map(([label, amount, hint]) => (
            <div key={label}>
              <Typography variant="overline">{label}</Typography>
              <Typography variant="h6">{formatFcfa(amount)}</Typography>
              <Typography variant="caption">{hint}</Typography>
            </div>
          ))}
        </Stack>
      </CardContent>
    </Card>
  );
}

export default function PaymentList() {
  return (
    <List filters={filters} perPage={25} exporter={false} sort={{ field: 'id', order: 'DESC' }} aside={undefined}>
      <TotalsCard />
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="reference" disableSort />
        <DataTable.Col source="fournisseur" disableSort render={(r) => FOURNISSEURS[r.fournisseur] ?? r.fournisseur} />
        <DataTable.Col source="statut" disableSort>
          <StatusField source="statut" table={PAYMENT_STATUTS} />
        </DataTable.Col>
        <DataTable.Col source="event_id" disableSort />
        <DataTable.NumberCol source="quantite" disableSort />
        <DataTable.Col source="montant" disableSort align="right">
          <MoneyField source="montant" />
        </DataTable.Col>
        <DataTable.Col source="date_creation" disableSort>
          <DateTimeField source="date_creation" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
