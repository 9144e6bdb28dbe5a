import { Login, LoginForm } from 'react-admin';
import { Typography } from '@mui/material';

// react-admin's login form (French labels from ra-language-french) under the product's name.
export const LoginPage = () => (
  <Login>
    <Typography variant="h6" component="h1" align="center" sx={{ mt: 1 }}>
      SpotVibe Administration
    </Typography>
    <Typography variant="body2" align="center" sx={{ px: 2, color: 'text.secondary' }}>
      Réservé au personnel de SpotVibe
    </Typography>
    <LoginForm />
  </Login>
);
