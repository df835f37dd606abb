// The demo blog's Worker entry (wrangler `main`): everything comes from the integration package,
// exactly as on any other blog that installs it (README "Install").
export { default } from 'astro-d1-notify/worker';
