/** The package version, as `tideline --version` and the web footer report it. */
export const VERSION = '0.2.0';
