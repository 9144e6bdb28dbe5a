import { lazy } from 'react';
import { Admin, AppBar, Layout, Resource, TitlePortal, type LayoutProps } from 'react-admin';
import { Typography } from '@mui/material';
import { authProvider } from './authProvider';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { theme } from './theme';
import { LoginPage } from './LoginPage';
import { RESOURCES } from './resources';

// Each page is its own chunk, loaded after sign-in.
const Dashboard = lazy(() => import('./Dashboard'));

const SpotVibeAppBar = () => (
  <AppBar>
    <Typography variant="h6" component="span" sx={{ mr: 2, whiteSpace: 'nowrap' }}>
      SpotVibe Administration
    </Typography>
    <TitlePortal />
  </AppBar>
);
const SpotVibeLayout = ({ children }: LayoutProps) => <Layout appBar={SpotVibeAppBar}>{children}</Layout>;

export const App = () => (
  <Admin
    title="SpotVibe Administration"
    // react-admin otherwise sends the host name to its publisher once per load (an image request).
    disableTelemetry
    requireAuth
    authProvider={authProvider}
    dataProvider={dataProvider}
    i18nProvider={i18nProvider}
    theme={theme}
    layout={SpotVibeLayout}
    loginPage={LoginPage}
    dashboard={Dashboard}
  >
    {(permissions: string[] | undefined) =>
      RESOURCES.filter((r) => !r.roles || r.roles.some((role) => permissions?.includes(role))).map((r) => (
        <Resource
          key={r.name}
          name={r.name}
          list={r.list}
          show={r.show}
          edit={r.edit}
          create={r.create}
          icon={r.icon}
          recordRepresentation={r.recordRepresentation}
        />
      ))
    }
  </Admin>
);
