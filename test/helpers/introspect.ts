/**
 * A normalised description of a SQLite schema, for comparing two databases:
 * columns (type, not null, default, primary key), indexes (columns, unique,
 * partial WHERE), foreign keys and named CHECK constraints. Column order is
 * ignored, since ALTER TABLE appends columns wherever the history added them.
 */
export type SchemaShape = Record<string, TableShape>;
export type TableShape = {
  columns: Record<string, string>;
  indexes: Record<string, string>;
  foreignKeys: string[];
  checks: string[];
};

const norm = (s: string | null | undefined) => (s ?? '').replace(/[`"]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();

function checksOf(createSql: string): string[] {
  const out: string[] = [];
  const re = /CONSTRAINT\s+["`]?(\w+)["`]?\s+CHECK\s*\(/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(createSql))) {
    let depth = 1;
    let i = re.lastIndex;
    while (i < createSql.length && depth > 0) {
      if (createSql[i] === '(') depth++;
      else if (createSql[i] === ')') depth--;
      i++;
    }
    out.push(`${m[1]}: ${norm(createSql.slice(re.lastIndex, i - 1))}`);
  }
  return out.sort();
}

export async function introspect(d1: D1Database): Promise<SchemaShape> {
  const tables = await d1
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
    )
    .all<{ name: string; sql: string }>();
  const shape: SchemaShape = {};
  for (const { name, sql } of tables.results) {
    const [cols, idxList, fks, idxSql] = await d1.batch<Record<string, unknown>>([
      d1.prepare(`PRAGMA table_info(\`${name}\`)`),
      d1.prepare(`PRAGMA index_list(\`${name}\`)`),
      d1.prepare(`PRAGMA foreign_key_list(\`${name}\`)`),
      d1.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1").bind(name),
    ]);
    const table: TableShape = { columns: {}, indexes: {}, foreignKeys: [], checks: checksOf(sql) };
    for (const c of cols!.results as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[]) {
      table.columns[c.name] = `${norm(c.type)}${c.notnull ? ' not null' : ''}${c.pk ? ' pk' : ''} default=${norm(c.dflt_value)}`;
    }
    const whereOf = new Map((idxSql!.results as { name: string; sql: string | null }[]).map((r) => [r.name, / WHERE (.*)$/is.exec(r.sql ?? '')?.[1]]));
    for (const ix of idxList!.results as { name: string; unique: number; origin: string }[]) {
      if (ix.origin === 'pk') continue; // covered by the column's pk flag
      const info = await d1.prepare(`PRAGMA index_info(\`${ix.name}\`)`).all<{ seqno: number; name: string }>();
      const cols = info.results.sort((a, b) => a.seqno - b.seqno).map((r) => r.name);
      const where = whereOf.get(ix.name);
      table.indexes[ix.name] = `${ix.unique ? 'unique ' : ''}(${cols.join(', ')})${where ? ` where ${norm(where)}` : ''}`;
    }
    table.foreignKeys = (fks!.results as { from: string; table: string; to: string; on_update: string; on_delete: string }[])
      .map((f) => `${f.from} -> ${f.table}.${f.to} on update ${norm(f.on_update)} on delete ${norm(f.on_delete)}`)
      .sort();
    shape[name] = table;
  }
  return shape;
}
