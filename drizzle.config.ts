import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes the next migration into migrations/, which
// `wrangler d1 migrations apply` reads. 0001–0010 are the original system's history; some
// later ones are written or completed by hand (CONTRIBUTING.md, "Migrations").
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/index.ts',
  out: './migrations',
});
