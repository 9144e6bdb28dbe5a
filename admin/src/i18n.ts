import polyglotI18nProvider from 'ra-i18n-polyglot';
import frenchMessages from 'ra-language-french';
import { mergeTranslations } from 'react-admin';
import { RESOURCES } from './resources';

// Each section brings its own words (resources/*.tsx); ours on top of ra-language-french.
const resourceMessages = { resources: Object.fromEntries(RESOURCES.map((r) => [r.name, r.messages])) };

export const i18nProvider = polyglotI18nProvider(
  () => mergeTranslations(frenchMessages, resourceMessages),
  'fr',
  [{ locale: 'fr', name: 'Français' }],
  { allowMissing: true },
);
