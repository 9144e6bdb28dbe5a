/**
 * Tableau de bord (the manual's AdminDashboardView): the figures, events by status, net revenue per day over
 * 30 days, the newest pending events and accounts. Charts are drawn locally on a canvas (chart.js).
 */
import { useQuery } from '@tanstack/react-query';
import { Card, CardContent, CardHeader, Grid, List as MuiList, ListItem, ListItemText, Typography } from '@mui/material';
import { Link, Loading, Title } from 'react-admin';
import {
  ArcElement,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { Doughnut, Line } from 'react-chartjs-2';
import { apiFetch } from './api';
import { EVENT_STATUTS } from './components/fields';
import { formatDate, formatDateTime, formatFcfa, TIME_ZONE } from './format';

// Only what the two charts use; nothing is fetched (canvas, system font).
ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, BarElement, ArcElement, Filler, Tooltip, Legend);
ChartJS.defaults.font.family = 'system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
ChartJS.defaults.locale = 'fr-FR';

type Stats = {
  total_users: number;
  total_events: number;
  pending_events: number;
  pending_revisions: number;
  total_revenue: number;
  revenue: { brut: number; rembourse: number; rembourse_en_cours: number; net: number };
  subscriptions_revenue: number;
  events_stats: { statut: string; count: number }[];
  revenue_data: { date: string; montant: number }[];
  recent_events: {
    id: number;
    titre: string;
    date_creation: string;
    date_debut: string;
    createur: { username: string };
    categorie: { nom: string };
  }[];
  recent_users: { id: number; username: string; first_name: string; last_name: string; date_creation: string }[];
};

const dayLabel = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: 'short', timeZone: TIME_ZONE });
const COLORS: Record<string, string> = {
  BROUILLON: '#9e9e9e',
  EN_ATTENTE: '#ed6c02',
  VALIDE: '#2e7d32',
  REJETE: '#c62828',
  TERMINE: '#1565c0',
  ANNULE: '#616161',
};

function Figure({ label, value, hint, to }: { label: string; value: string; hint?: string; to?: string }) {
  const body = (
    <CardContent>
      <Typography variant="overline" component="h2">
        {label}
      </Typography>
      <Typography variant="h5" component="p" data-figure={label} sx={{ fontWeight: 500 }}>
        {value}
      </Typography>
      {hint && <Typography variant="caption">{hint}</Typography>}
    </CardContent>
  );
  return (
    <Card sx={{ height: '100%' }}>
      {to ? (
        <Link to={to} underline="none" color="inherit">
          {body}
        </Link>
      ) : (
        body
      )}
    </Card>
  );
}

export default function Dashboard() {
  const { data, isPending, error } = useQuery({
    queryKey: ['admin-stats'],
    queryFn: async () => (await apiFetch('/stats/')).json as Stats,
  });
  if (isPending) return <Loading />;
  if (error) return <Typography color="error">{error.message}</Typography>;
  const nf = new Intl.NumberFormat('fr-FR');
  const monthTotal = data.revenue_data.reduce((s, d) => s + d.montant, 0);

  return (
    <>
      <Title title="Tableau de bord" />
      <Grid container spacing={2} sx={{ mt: 1 }}>
        <Grid size={{ xs: 12, sm: 6, md: 2 }}>
          <Figure label="Utilisateurs" value={nf.format(data.total_users)} to="/users" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 2 }}>
          <Figure label="Événements validés" value={nf.format(data.total_events)} to="/events" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 2 }}>
          <Figure label="En attente de modération" value={nf.format(data.pending_events)} to="/moderation" />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 2 }}>
          <Figure
            label="Révisions en attente"
            value={nf.format(data.pending_revisions)}
            hint="Modifications d’événements publiés"
            to="/revisions"
          />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 2 }}>
          <Figure
            label="Recettes nettes"
            value={formatFcfa(data.total_revenue)}
            hint={`${formatFcfa(data.revenue.brut)} reçus, ${formatFcfa(data.revenue.rembourse)} remboursés, ${formatFcfa(data.revenue.rembourse_en_cours)} en cours de remboursement`}
            to="/payments"
          />
        </Grid>
        <Grid size={{ xs: 12, sm: 6, md: 2 }}>
          <Figure label="Abonnements" value={formatFcfa(data.subscriptions_revenue)} hint="Recettes nettes des abonnements" />
        </Grid>

        <Grid size={{ xs: 12, md: 8 }}>
          <Card>
            <CardHeader title="Recettes par jour" subheader={`30 derniers jours : ${formatFcfa(monthTotal)}`} />
            <CardContent>
              <Line
                role="img"
                aria-label={`Recettes nettes par jour sur 30 jours, ${formatFcfa(monthTotal)} au total`}
                data={{
                  labels: data.revenue_data.map((d) => dayLabel.format(new Date(`${d.date}T12:00:00Z`))),
                  datasets: [
                    {
                      label: 'Recettes nettes',
                      data: data.revenue_data.map((d) => d.montant),
                      borderColor: '#5b2a86',
                      backgroundColor: 'rgba(91,42,134,0.15)',
                      fill: true,
                      tension: 0.3,
                    },
                  ],
                }}
                options={{
                  animation: false,
                  responsive: true,
                  plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => formatFcfa(ctx.parsed.y) } } },
                  scales: { y: { ticks: { callback: (v) => formatFcfa(Number(v)) } } },
                }}
              />
            </CardContent>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <Card>
            <CardHeader title="Événements par statut" />
            <CardContent>
              <Doughnut
                role="img"
                aria-label={data.events_stats.map((s) => `${EVENT_STATUTS[s.statut]?.label ?? s.statut} : ${s.count}`).join(', ')}
                data={{
                  labels: data.events_stats.map((s) => EVENT_STATUTS[s.statut]?.label ?? s.statut),
                  datasets: [
                    {
                      data: data.events_stats.map((s) => s.count),
                      backgroundColor: data.events_stats.map((s) => COLORS[s.statut] ?? '#757575'),
                    },
                  ],
                }}
                options={{ animation: false, plugins: { legend: { position: 'bottom' } } }}
              />
            </CardContent>
          </Card>
        </Grid>

        <Grid size={{ xs: 12, md: 6 }}>
          <Card>
            <CardHeader title="Derniers événements en attente" />
            <MuiList dense aria-label="Derniers événements en attente">
              {data.recent_events.length === 0 && (
                <ListItem>
                  <ListItemText primary="Aucun événement en attente." />
                </ListItem>
              )}
              {data.recent_events.map((e) => (
                <ListItem key={e.id} component={Link} to={`/moderation/${e.id}/show`}>
                  <ListItemText
                    primary={e.titre}
                    secondary={`${e.createur.username} · ${e.categorie.nom} · le ${formatDate(e.date_debut)} · soumis le ${formatDateTime(e.date_creation)}`}
                  />
                </ListItem>
              ))}
            </MuiList>
          </Card>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Card>
            <CardHeader title="Derniers inscrits" />
            <MuiList dense aria-label="Derniers inscrits">
              {data.recent_users.map((u) => (
                <ListItem key={u.id} component={Link} to={`/users/${u.id}/show`}>
                  <ListItemText
                    primary={`${u.first_name} ${u.last_name}`.trim() || u.username}
                    secondary={`${u.username} · ${formatDateTime(u.date_creation)}`}
                  />
                </ListItem>
              ))}
            </MuiList>
          </Card>
        </Grid>
      </Grid>
    </>
  );
}
