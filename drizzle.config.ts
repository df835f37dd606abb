import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes the next migration into migrations/, which
// `wrangler d1 migrations apply` reads. 0001–0011 are hand-written
// (0001–0010 the original system's history; ARCHITECTURE.md, "Migrations").
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/index.ts',
  out: './migrations',
});
