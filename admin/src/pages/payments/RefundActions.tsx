/** The two money actions on a refund, each after a confirmation: send a failed one again, record a manual one as paid. */
import ReplayIcon from '@mui/icons-material/Replay';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import type { RaRecord } from 'react-admin';
import { apiPost } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { formatFcfa } from '../../format';

export function RefundActions({ refund }: { refund: RaRecord }) {
  if (refund.statut === 'ECHOUE') {
    return (
      <ConfirmAction
        label="Relancer"
        icon={<ReplayIcon />}
        title="Relancer ce remboursement"
        content={`Le remboursement de ${formatFcfa(refund.montant)} est renvoyé au fournisseur avec la même référence : il ne peut pas être payé deux fois.`}
        run={async () => {
          await apiPost(`/refunds/${refund.id}/retry/`);
          return 'Remboursement relancé.';
        }}
      />
    );
  }
  if (refund.statut === 'REMBOURSEMENT_MANUEL') {
    return (
      <ConfirmAction
        label="Marquer comme réglé"
        icon={<DoneAllIcon />}
        color="success"
        title="Enregistrer le remboursement manuel"
        content={`Confirmez que ${formatFcfa(refund.montant)} ont bien été rendus à l’acheteur (espèces, virement…). Le paiement passe « Remboursé » et l’acheteur est prévenu.`}
        run={async () => {
          await apiPost(`/refunds/${refund.id}/settle/`);
          return 'Remboursement enregistré.';
        }}
      />
    );
  }
  return null;
}
