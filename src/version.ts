/** The application's version: the API document's, and the default release reported to Sentry. */
export const VERSION = '0.1.0';
