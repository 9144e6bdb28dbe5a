/**
 * A person's page: profile (masked), their events, payments and journal; activate or deactivate, staff access
 * (superusers only), and their data requests (export, erasure), each after a confirmation with a reason.
 */
import { Box, Chip, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import BlockIcon from '@mui/icons-material/Block';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import AdminPanelSettingsIcon from '@mui/icons-material/AdminPanelSettings';
import DownloadIcon from '@mui/icons-material/Download';
import DeleteForeverIcon from '@mui/icons-material/DeleteForever';
import { Link, Show, TabbedShowLayout, usePermissions, useRecordContext, type RaRecord } from 'react-admin';
import { apiPost, downloadJson } from '../../api';
import { ConfirmAction } from '../../components/ConfirmAction';
import { JournalTable } from '../../components/Journal';
import { EVENT_STATUTS, PAYMENT_STATUTS, StatusChip, FOURNISSEURS } from '../../components/fields';
import { formatDateTime, formatFcfa } from '../../format';

function Actions() {
  const u = useRecordContext();
  const { permissions } = usePermissions<string[]>();
  if (!u || u.supprime) return null;
  const superuser = permissions?.includes('superuser') ?? false;
  const name = u.username;
  return (
    <Stack direction="row" spacing={1} sx={{ mb: 2, flexWrap: 'wrap' }}>
      {u.is_active ? (
        <ConfirmAction
          label="Désactiver"
          color="error"
          icon={<BlockIcon />}
          title={`Désactiver le compte ${name}`}
          content="La personne ne pourra plus se connecter ; ses sessions sont fermées aussitôt."
          reason={{ label: 'Motif (pour le journal)', minLength: 3 }}
          run={async (motif) => {
            await apiPost(`/users/${u.id}/deactivate/`, { motif });
            return 'Compte désactivé.';
          }}
        />
      ) : (
        <ConfirmAction
          label="Réactiver"
          icon={<CheckCircleIcon />}
          title={`Réactiver le compte ${name}`}
          content="La personne pourra de nouveau se connecter."
          run={async () => {
            await apiPost(`/users/${u.id}/activate/`, {});
            return 'Compte réactivé.';
          }}
        />
      )}
      {superuser && !u.is_superuser && (
        <ConfirmAction
          label={u.is_staff ? 'Retirer l’accès personnel' : 'Donner l’accès personnel'}
          icon={<AdminPanelSettingsIcon />}
          title={u.is_staff ? `Retirer l’accès du personnel à ${name}` : `Donner l’accès du personnel à ${name}`}
          content={
            u.is_staff
              ? 'Ses sessions ouvertes dans SpotVibe Administration sont fermées aussitôt.'
              : 'La personne pourra se connecter à SpotVibe Administration et modérer.'
          }
          run={async () => {
            await apiPost(`/users/${u.id}/staff/`, { is_staff: !u.is_staff });
            return u.is_staff ? 'Accès du personnel retiré.' : 'Accès du personnel donné.';
          }}
        />
      )}
      <ConfirmAction
        label="Exporter ses données"
        icon={<DownloadIcon />}
        title={`Demande d’accès aux données de ${name}`}
        content="Un fichier JSON avec tout ce que SpotVibe détient sur la personne. L’export est inscrit au journal."
        reason={{ label: 'La demande traitée (référence, canal, date)', minLength: 3 }}
        run={async (motif) => {
          await downloadJson(`/users/${u.id}/export/`, { motif }, `spotvibe-donnees-${u.id}.json`);
          return 'Données exportées.';
        }}
      />
      <ConfirmAction
        label="Effacer le compte"
        color="error"
        icon={<DeleteForeverIcon />}
        title={`Demande d’effacement : ${name}`}
        content="Irréversible : les données personnelles sont effacées partout ; les paiements restent pour la comptabilité, sans lien avec la personne."
        reason={{ label: 'La demande traitée (référence, canal, date)', minLength: 3 }}
        typed="SUPPRIMER"
        run={async (motif) => {
          await apiPost(`/users/${u.id}/erase/`, { motif, confirmation: 'SUPPRIMER' });
          return 'Compte effacé.';
        }}
      />
    </Stack>
  );
}

function Profile() {
  const u = useRecordContext();
  if (!u) return null;
  return (
    <Box>
      <Typography variant="h6" component="h2">
        {`${u.first_name} ${u.last_name}`.trim() || u.username} ({u.username})
      </Typography>
      <Stack direction="row" spacing={1} sx={{ my: 1 }}>
        <Chip
          size="small"
          color={u.is_active ? 'success' : 'error'}
          label={u.supprime ? 'Supprimé' : u.is_active ? 'Actif' : 'Désactivé'}
        />
        {u.is_staff && <Chip size="small" color="primary" label={u.is_superuser ? 'Super-utilisateur' : 'Personnel'} />}
        {u.est_verifie && <Chip size="small" label="Vérifié" />}
      </Stack>
      <Typography variant="body2">E-mail : {u.email_masque}</Typography>
      <Typography variant="body2">Téléphone : {u.telephone_masque}</Typography>
      <Typography variant="body2">Inscrit le {formatDateTime(u.date_creation)}</Typography>
      <Typography variant="body2">Dernière connexion : {u.last_login ? formatDateTime(u.last_login) : 'jamais'}</Typography>
      <Typography variant="body2">
        {u.nombre_evenements} événement(s) créé(s), {u.nombre_paiements} paiement(s), {formatFcfa(u.total_paye)} payés
      </Typography>
    </Box>
  );
}

function Events() {
  const u = useRecordContext();
  if (!u) return null;
  return (
    <Table size="small" aria-label="Ses événements">
      <TableHead>
        <TableRow>
          <TableCell>Titre</TableCell>
          <TableCell>Statut</TableCell>
          <TableCell>Début</TableCell>
          <TableCell align="right">Participants</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {(u.evenements ?? []).map((e: RaRecord) => (
          <TableRow key={e.id}>
            <TableCell>
              <Link to={`/events/${e.id}/show`}>{e.titre}</Link>
            </TableCell>
            <TableCell>
              <StatusChip value={e.statut} table={EVENT_STATUTS} />
            </TableCell>
            <TableCell>{formatDateTime(e.date_debut)}</TableCell>
            <TableCell align="right">{e.participants_count}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Payments() {
  const u = useRecordContext();
  if (!u) return null;
  return (
    <Table size="small" aria-label="Ses paiements">
      <TableHead>
        <TableRow>
          <TableCell>Référence</TableCell>
          <TableCell>Événement</TableCell>
          <TableCell>Fournisseur</TableCell>
          <TableCell>Statut</TableCell>
          <TableCell align="right">Montant</TableCell>
          <TableCell>Date</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {(u.paiements ?? []).map((p: RaRecord) => (
          <TableRow key={p.id}>
            <TableCell>
              <Link to={`/payments/${p.id}/show`}>{p.reference}</Link>
            </TableCell>
            <TableCell>{p.evenement ?? (p.type === 'ABONNEMENT' ? 'Abonnement' : '—')}</TableCell>
            <TableCell>{FOURNISSEURS[p.fournisseur] ?? p.fournisseur}</TableCell>
            <TableCell>
              <StatusChip value={p.statut} table={PAYMENT_STATUTS} />
            </TableCell>
            <TableCell align="right">{formatFcfa(p.montant)}</TableCell>
            <TableCell>{formatDateTime(p.date_creation)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Trail() {
  const u = useRecordContext();
  return u ? <JournalTable entries={u.journal ?? []} caption="Journal du compte" /> : null;
}

export default function UserShow() {
  return (
    <Show>
      <Box sx={{ px: 2, pt: 2 }}>
        <Actions />
      </Box>
      <TabbedShowLayout>
        <TabbedShowLayout.Tab label="Profil">
          <Profile />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Événements">
          <Events />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Paiements">
          <Payments />
        </TabbedShowLayout.Tab>
        <TabbedShowLayout.Tab label="Journal">
          <Trail />
        </TabbedShowLayout.Tab>
      </TabbedShowLayout>
    </Show>
  );
}
