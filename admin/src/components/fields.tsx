/** Fields shared by every section: money, dates in Abidjan's time, statuses as French chips. */
import { Chip } from '@mui/material';
import { FunctionField, type RaRecord } from 'react-admin';
import { formatDate, formatDateTime, formatFcfa } from '../format';

type Source = { source: string; label?: string; sortable?: boolean };

const read = (r: RaRecord | undefined, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], r);

export const MoneyField = ({ source, label }: Source) => (
  <FunctionField source={source} label={label} textAlign="right" render={(r) => formatFcfa(read(r, source) as number)} />
);

export const DateTimeField = ({ source, label }: Source) => (
  <FunctionField source={source} label={label} render={(r) => formatDateTime(read(r, source) as string)} />
);

export const DayField = ({ source, label }: Source) => (
  <FunctionField source={source} label={label} render={(r) => formatDate(read(r, source) as string)} />
);

export const EVENT_STATUTS: Record<string, { label: string; color: 'default' | 'warning' | 'success' | 'error' | 'info' }> = {
  BROUILLON: { label: 'Brouillon', color: 'default' },
  EN_ATTENTE: { label: 'En attente', color: 'warning' },
  VALIDE: { label: 'Validé', color: 'success' },
  REJETE: { label: 'Rejeté', color: 'error' },
  TERMINE: { label: 'Terminé', color: 'info' },
  ANNULE: { label: 'Annulé', color: 'default' },
};

export const PAYMENT_STATUTS: Record<string, { label: string; color: 'default' | 'warning' | 'success' | 'error' | 'info' }> = {
  EN_ATTENTE: { label: 'En attente', color: 'warning' },
  REUSSI: { label: 'Réussi', color: 'success' },
  ECHOUE: { label: 'Échoué', color: 'error' },
  EXPIRE: { label: 'Expiré', color: 'default' },
  REMBOURSE: { label: 'Remboursé', color: 'info' },
};

export const REFUND_STATUTS: Record<string, { label: string; color: 'default' | 'warning' | 'success' | 'error' | 'info' }> = {
  EN_ATTENTE: { label: 'En attente', color: 'warning' },
  EN_COURS: { label: 'En cours', color: 'info' },
  REUSSI: { label: 'Effectué', color: 'success' },
  ECHOUE: { label: 'Échoué', color: 'error' },
  REMBOURSEMENT_MANUEL: { label: 'À régler à la main', color: 'warning' },
};

export const FOURNISSEURS: Record<string, string> = {
  ORANGE_MONEY: 'Orange Money',
  MTN_MONEY: 'MTN MoMo',
  MOOV_MONEY: 'Moov Money',
  WAVE: 'Wave',
};

export const choicesOf = (m: Record<string, { label: string } | string>) =>
  Object.entries(m).map(([id, v]) => ({ id, name: typeof v === 'string' ? v : v.label }));

export const StatusChip = ({ value, table }: { value: string; table: typeof EVENT_STATUTS }) => {
  const s = table[value];
  return <Chip size="small" label={s?.label ?? value} color={s?.color ?? 'default'} />;
};

export const StatusField = ({ source, label, table, sortable }: Source & { table: typeof EVENT_STATUTS }) => (
  <FunctionField
    source={source}
    label={label}
    sortable={sortable}
    render={(r) => <StatusChip value={String(read(r, source))} table={table} />}
  />
);

export const SUBSCRIPTION_STATUTS: Record<string, { label: string; color: 'default' | 'warning' | 'success' | 'error' | 'info' }> = {
  EN_ATTENTE: { label: 'En attente de paiement', color: 'warning' },
  ACTIF: { label: 'Actif', color: 'success' },
  ECHOUE: { label: 'Échoué', color: 'error' },
  EXPIRE: { label: 'Expiré', color: 'default' },
  ANNULE: { label: 'Annulé', color: 'default' },
};

export const SUBSCRIPTION_NATURES: Record<string, string> = {
  NOUVEAU: 'Nouveau',
  RENOUVELLEMENT: 'Renouvellement',
  SURCLASSEMENT: 'Changement vers une formule supérieure',
  DECLASSEMENT: 'Changement vers une formule inférieure',
  OCTROI: 'Octroyé par le personnel',
};
