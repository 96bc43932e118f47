import Table from 'cli-table3';

export interface Output {
  json: boolean;
}

/** Key/value view of one record, or its JSON. */
export function printRecord(out: Output, record: Record<string, unknown>): void {
  if (out.json) return void console.log(JSON.stringify(record, null, 2));
  const table = new Table({ style: { head: [], border: [] } });
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    table.push({ [key]: typeof value === 'object' ? JSON.stringify(value) : String(value) });
  }
  console.log(table.toString());
}

/** Rows with the given columns, or their JSON. */
export function printRows<T extends object>(out: Output, rows: T[], columns: (keyof T & string)[]): void {
  if (out.json) return void console.log(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return void console.log('(no cancellations match)');
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => String((row as Record<string, unknown>)[c] ?? '')));
  console.log(table.toString());
}
