// Import boundaries, checked by `npm run check` (so by `npm test`). Layers: the demo (src/) uses the
// package, the package's handlers (integration/) use its data layer (db/), never the other way.
// `.astro` files are not parsed: dependency-cruiser has no Astro transpiler (only TS/JS, Vue,
// Svelte, CoffeeScript, LiveScript), so an import inside an .astro frontmatter is not seen here.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'db-is-the-bottom',
      comment: 'db/ is the data layer: it imports nothing from the handlers (integration/) or the demo (src/).',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: '^(integration|src)/' },
    },
    {
      name: 'integration-not-demo',
      comment: 'The shipped integration never imports the demo site (src/).',
      severity: 'error',
      from: { path: '^integration/' },
      to: { path: '^src/' },
    },
    {
      name: 'shipped-not-tests',
      comment: 'Nothing shipped (integration/, db/) imports test/ or bench/: they are not in the package.',
      severity: 'error',
      from: { path: '^(integration|db)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'delivery-not-server',
      comment: 'One direction between the request handlers and delivery: server/ may use delivery/, delivery/ never server/.',
      severity: 'error',
      from: { path: '^integration/delivery/' },
      to: { path: '^integration/server/' },
    },
    {
      name: 'components-not-pages',
      comment: 'Components are used by pages, never the other way.',
      severity: 'error',
      from: { path: '(^|/)components/' },
      to: { path: '(^|/)pages/' },
    },
    {
      name: 'demo-uses-public-exports',
      comment: 'The demo (src/) is a host like any other: it reaches the package only through its package.json exports (astro-d1-notify/...).',
      severity: 'error',
      from: { path: '^src/' },
      // 'astro-d1-notify/worker' resolves to integration/worker.ts too, but as a package import, not a relative path.
      to: { path: '^(integration|db|migrations)/', dependencyTypes: ['local'] },
    },
    {
      name: 'one-composition-root',
      comment: 'Only integration/runtime.ts imports cloudflare:workers; everything else takes env as a parameter, so it runs in tests and CLIs.',
      severity: 'error',
      from: { path: '^(integration|db|src)/', pathNot: '^integration/runtime\\.ts$' },
      to: { path: '^cloudflare:workers$' },
    },
    {
      name: 'no-cycles',
      comment: 'No file imports itself back through another.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.astro|\\.wrangler)/|^test/fixtures/|^bench/results/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
