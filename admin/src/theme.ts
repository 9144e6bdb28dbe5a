import { defaultLightTheme, type RaThemeOptions } from 'react-admin';

// No web font: a system stack (nothing is downloaded; MUI's "Roboto" is only a name).
const systemFont = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif';

export const theme: RaThemeOptions = {
  ...defaultLightTheme,
  typography: { ...defaultLightTheme.typography, fontFamily: systemFont },
  palette: { ...defaultLightTheme.palette, primary: { main: '#5b2a86' }, secondary: { main: '#e36414' } },
  components: {
    ...defaultLightTheme.components,
    // Pessimistic everywhere: a confirmation, then the server's answer; never an undo toast that sends later.
    RaEdit: { defaultProps: { mutationMode: 'pessimistic' } },
    RaDeleteButton: { defaultProps: { mutationMode: 'pessimistic' } },
    RaBulkDeleteButton: { defaultProps: { mutationMode: 'pessimistic' } },
    RaBulkUpdateButton: { defaultProps: { mutationMode: 'pessimistic' } },
  } as RaThemeOptions['components'],
};
