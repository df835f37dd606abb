// What integration/middleware.ts puts on Astro.locals for every request.
declare namespace App {
  interface Locals {
    /** The signed-in reader, or null. */
    user: import('../../db/schema').User | null;
    session: import('../../db/schema').Session | null;
  }
}
