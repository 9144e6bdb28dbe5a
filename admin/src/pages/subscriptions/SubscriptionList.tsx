/**
 * Organizers' subscriptions, newest first, filtered by status, plan and organizer, below what they brought in
 * (paid less refunded, by plan, apart from tickets); staff grant one from here.
 */
import { useEffect, useState } from 'react';
import { Card, CardContent, Stack, Typography } from '@mui/material';
import {
  AutocompleteInput,
  DataTable,
  FilterButton,
  List,
  ReferenceField,
  ReferenceInput,
  SelectInput,
  TopToolbar,
  type RaRecord,
} from 'react-admin';
import { DateTimeField, MoneyField, StatusField, SUBSCRIPTION_NATURES, SUBSCRIPTION_STATUTS, choicesOf } from '../../components/fields';
import { apiFetch } from '../../api';
import { formatFcfa } from '../../format';
import { GrantSubscription } from './GrantSubscription';

type Revenue = {
  abonnements: {
    total: number;
    // rembourse_en_cours: refunds not done yet, not cashed either (payments/money.ts's rule, where the API gives it).
    par_forfait: { plan: string; nombre: number; montant: number; rembourse: number; rembourse_en_cours?: number }[];
  };
  billets: { total: number };
};

function RevenueCard() {
  const [r, setR] = useState<Revenue | null>(null);
  useEffect(() => {
    apiFetch('/subscriptions/revenue/').then(
      ({ json }) => setR(json as Revenue),
      () => setR(null),
    );
  }, []);
  if (!r) return null;
  return (
    <Card variant="outlined" sx={{ mb: 1 }} component="section" aria-label="Revenus des abonnements">
      <CardContent>
        <Stack direction="row" spacing={4} sx={{ flexWrap: 'wrap' }}>
          <div>
            <Typography variant="overline">Abonnements (net)</Typography>
            <Typography variant="h6" data-figure="abonnements-net">
              {formatFcfa(r.abonnements.total)}
            </Typography>
            <Typography variant="caption">Payé moins remboursé, à part des billets</Typography>
          </div>
          {r.abonnements.par_forfait.map((p) => (
            <div key={p.plan}>
              <Typography variant="overline">{p.plan}</Typography>
              <Typography variant="h6">{formatFcfa(p.montant - p.rembourse - (p.rembourse_en_cours ?? 0))}</Typography>
              <Typography variant="caption">{p.nombre} paiement(s)</Typography>
            </div>
          ))}
        </Stack>
      </CardContent>
    </Card>
  );
}

const filters = [
  <SelectInput key="statut" source="statut" label="Statut" choices={choicesOf(SUBSCRIPTION_STATUTS)} alwaysOn />,
  <ReferenceInput key="plan" source="plan" reference="subscription-plans" alwaysOn>
    <SelectInput label="Formule" optionText="nom" />
  </ReferenceInput>,
  <ReferenceInput key="organisateur" source="organisateur" reference="users">
    <AutocompleteInput label="Organisateur" optionText="username" filterToQuery={(q: string) => ({ q })} />
  </ReferenceInput>,
];

export default function SubscriptionList() {
  return (
    <List
      filters={filters}
      // With no subscription yet, the list (and its Grant button) rather than react-admin's "create one" page.
      empty={false}
      perPage={25}
      exporter={false}
      sort={{ field: 'id', order: 'DESC' }}
      actions={
        <TopToolbar>
          <FilterButton />
          <GrantSubscription />
        </TopToolbar>
      }
    >
      <RevenueCard />
      <DataTable rowClick="show" bulkActionButtons={false}>
        <DataTable.Col source="id" label="N°" disableSort />
        <DataTable.Col source="organisateur_id" disableSort>
          <ReferenceField source="organisateur_id" reference="users" link={false} />
        </DataTable.Col>
        <DataTable.Col source="plan" disableSort render={(r: RaRecord) => r.plan?.nom} />
        <DataTable.Col source="statut" disableSort>
          <StatusField source="statut" table={SUBSCRIPTION_STATUTS} />
        </DataTable.Col>
        <DataTable.Col source="nature" disableSort render={(r: RaRecord) => SUBSCRIPTION_NATURES[r.nature] ?? r.nature} />
        <DataTable.Col source="montant" disableSort align="right">
          <MoneyField source="montant" />
        </DataTable.Col>
        <DataTable.Col source="date_debut" disableSort>
          <DateTimeField source="date_debut" />
        </DataTable.Col>
        <DataTable.Col source="date_fin" disableSort>
          <DateTimeField source="date_fin" />
        </DataTable.Col>
      </DataTable>
    </List>
  );
}
