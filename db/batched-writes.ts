import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  createQueryId,
  sql,
  type DatabaseConnection,
  type Driver,
  type InsertQueryNode,
  type OperationNode,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type Transaction,
  type UpdateQueryNode,
} from 'kysely';
import type { Db } from './connection';
import type { Database } from './schema';

// pg's own conversion of a JavaScript value to the text it sends as a parameter.
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

/**
 * Which tables the batch may reorder and merge writes to.
 *
 * - `keyed`: tables written by their key (`insert` one row, `update ... where key = value`): a row
 *   inserted is kept until it is written to in another way (or not written to for a while), and
 *   updates of constants, or of `column + n`, are folded into it; rows go out together as
 *   multi-row inserts.
 * - `appendOnly`: tables that are only inserted into and that nothing in the batch reads or
 *   updates: their rows go out as multi-row inserts at the end of each batch.
 */
export interface BatchTables {
  keyed: Record<string, string>;
  appendOnly: readonly string[];
}

/** Statements that neither depend on the transaction's pending writes nor affect them. */
export interface AheadOfPendingWrites {
  /**
   * Run the statement now, ahead of the writes still pending: for example the next page of a
   * table the transaction does not write to, so that its rows are there when they are needed, or
   * a write to a table that no pending write touches, so that it runs while the caller prepares
   * the next batch.
   */
  runAhead<R>(query: { compile(): CompiledQuery<R> }): Promise<R[]>;
}

export interface BatchStats {
  /** Statements the caller executed. */
  statements: number;
  /** Statements sent to PostgreSQL after merging. */
  sent: number;
  /** Round trips: batches plus reads. */
  roundTrips: number;
  /** Milliseconds PostgreSQL took for the batches. */
  batchMs: number;
}

/**
 * Run `fn` in one transaction whose writes are batched: a write returns at once and is sent later,
 * with others, as one multi-statement request; a read first sends what is pending and waits for
 * it. While PostgreSQL runs one batch, the caller prepares the next. For a long series of small
 * writes, such as a projection rebuild, this takes away the round trip per statement and most of
 * the statements (a rebuild of 1.3 million statements sends a few thousand).
 *
 * What the caller gives up: a write reports no result (no `returning`, no affected-row count), and
 * its error surfaces at the next read or at the commit. Writes of different rows are taken to be
 * independent: they may be sent in another order, except around a write that reads other rows (a
 * subquery), which nothing moves across. The writes of one row keep their order. Immediate
 * triggers that read other rows would see the writes in that other order: the caller switches such
 * triggers off (deferred ones run at the commit, when everything has been sent).
 */
export async function inBatchedTransaction<T>(
  db: Db,
  tables: BatchTables,
  fn: (trx: Transaction<Database>, ahead: AheadOfPendingWrites) => Promise<T>,
  stats?: BatchStats,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    const setting = await sql<{ standard_conforming_strings: string }>`show standard_conforming_strings`.execute(connection);
    if (setting.rows[0]?.standard_conforming_strings !== 'on') throw new Error('batched writes need standard_conforming_strings = on');
    const { rows: columns } = await sql<{ table_name: string; column_name: string; column_default: string | null }>`
      select table_name, column_name, column_default from information_schema.columns
      where table_schema = current_schema() and table_name = any(${Object.keys(tables.keyed)}::text[])`.execute(connection);
    const defaults = new Map(columns.map((c) => [`${c.table_name}\u0000${c.column_name}`, defaultValue(c.column_default)]));
    const batch = new StatementBatch(connection, tables, defaults, stats ?? { statements: 0, sent: 0, roundTrips: 0, batchMs: 0 });
    const driver: Driver = {
      init: async () => {},
      acquireConnection: async () => batch,
      beginTransaction: async () => batch.run('begin'),
      commitTransaction: async () => batch.commit(),
      rollbackTransaction: async () => batch.rollback(),
      releaseConnection: async () => {},
      destroy: async () => {},
    };
    const batched = new Kysely<Database>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => driver,
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new DeferringCompiler(),
      },
    });
    try {
      return await batched.transaction().execute((trx) => fn(trx, batch));
    } finally {
      await batched.destroy();
    }
  });
}

/**
 * A quoted literal for a parameter: the text pg would send for it, whose type PostgreSQL infers
 * alike. With standard_conforming_strings (checked when the batch starts) doubling the quotes is
 * all the escaping a literal needs; a NUL would end the request's text early, so it is refused.
 */
function literal(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return `'${value}'`;
  // pg writes a Date in the process's local time with its offset; where that offset is 0 the ISO
  // form is the same text but for the zone's name, and much quicker to make.
  if (value instanceof Date && value.getTimezoneOffset() === 0 && !Number.isNaN(value.getTime())) return `'${value.toISOString()}'`;
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return 'null';
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString('hex')}'::bytea`;
  return quote(String(prepared));
}

function quote(text: string): string {
  if (text.includes('\u0000')) throw new Error('a text value with a NUL character cannot be sent in a batch');
  return `'${text.includes("'") ? text.replace(/'/g, "''") : text}'`;
}

/** A column default that is a plain number, boolean or text literal; undefined for any other (an expression, none). */
function defaultValue(text: string | null): unknown {
  if (text === null) return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  const quoted = /^'((?:[^']|'')*)'::[\w ]+$/.exec(text);
  return quoted ? quoted[1]!.replace(/''/g, "'") : undefined;
}

/** `column + n` (n a number, written in or a parameter) for the column it sets: n; null for any other expression. */
function increment(value: Node, column: string): number | null {
  if (value.kind !== 'RawNode') return null;
  const fragments = value.sqlFragments as string[];
  const parameters = value.parameters as Node[];
  const self = (text: string) => new RegExp(`^\\s*"?${column}"?\\s*\\+\\s*(\\d*)\\s*$`).exec(text);
  if (fragments.length === 1 && parameters.length === 0) {
    const match = self(fragments[0]!);
    return match?.[1] ? Number(match[1]) : null;
  }
  if (fragments.length === 2 && parameters.length === 1 && fragments[1]!.trim() === '' && parameters[0]!.kind === 'ValueNode') {
    const match = self(fragments[0]!);
    const n = (parameters[0] as Node).value;
    return match && match[1] === '' && typeof n === 'number' ? n : null;
  }
  return null;
}

/** Compiles a query with its values written in as literals: one text that holds many statements. */
class LiteralCompiler extends PostgresQueryCompiler {
  protected override appendValue(parameter: unknown): void {
    this.append(literal(parameter));
  }
}

/** Writes without `returning` are compiled when their batch is sent, not when they are made. */
class DeferringCompiler extends PostgresQueryCompiler {
  override compileQuery(node: RootOperationNode, queryId: QueryId): CompiledQuery {
    if (isDeferredWrite(node)) return { query: node, queryId, sql: '', parameters: [] };
    return super.compileQuery(node, queryId);
  }
}

type Node = OperationNode & Record<string, any>;
const isDeferredWrite = (node: Node) => (node.kind === 'InsertQueryNode' || node.kind === 'UpdateQueryNode' || node.kind === 'DeleteQueryNode') && !node.returning;
const nameOf = (node: Node | undefined): string | undefined => node?.table?.identifier?.name ?? node?.column?.name;

/** true when the node (a value, an expression) reads from another row: a subquery anywhere in it. */
function readsOtherRows(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  const n = node as Node;
  if (n.kind === 'SelectQueryNode') return true;
  if (n.kind === 'RawNode' && (n.sqlFragments as string[]).some((f) => /\bselect\b/i.test(f))) return true;
  return Object.values(n).some((child) => (Array.isArray(child) ? child.some(readsOtherRows) : readsOtherRows(child)));
}

/** One row inserted into a keyed table, with the constant values of later updates folded in. */
interface RowInsert {
  kind: 'insert';
  table: string;
  node: InsertQueryNode;
  values: Map<string, unknown>;
  /** Sent with the segment's other inserts, ahead of its other writes (false: something wrote the row before). */
  hoisted: boolean;
}
type Op = RowInsert | { kind: 'update'; node: UpdateQueryNode } | { kind: 'statement'; node: OperationNode };

/** A row inserted and not yet sent: it takes the later updates of its row until it goes out. */
interface CarriedRow {
  table: string;
  node: InsertQueryNode;
  values: Map<string, unknown>;
  /** The batch in which it was last written to. */
  touched: number;
}

/**
 * Rows are carried from batch to batch while they are written to, at most this many. Most of an
 * incident's writes come within its first days; carrying rows longer saves fewer updates than the
 * garbage collector spends on them (the benchmark's rebuild measured both).
 */
const MAX_CARRIED = 30_000;
/** A row not written to in this many batches goes out: about three weeks of events at a million incidents. */
const COLD_AFTER = 60;

/** Writes between two barriers (writes that read other rows): within it, writes to different rows commute. */
class Segment {
  readonly ops: Op[] = [];
  /** The latest op on each row (table + key). */
  readonly latest = new Map<string, Op>();
}

class StatementBatch implements DatabaseConnection, AheadOfPendingWrites {
  private readonly compiler = new LiteralCompiler();
  private readonly appendOnly: Set<string>;
  private segments: Segment[] = [new Segment()];
  /**
   * Keyed rows inserted in this transaction and not yet sent, by row: an update of constants (or
   * of `column + n`) is folded into the row instead of being sent; any other write to the row, a
   * write that reads other rows, or a read sends it first. Cold rows go out at the end of a batch,
   * after everything else in it, which is where they belong: nothing in it touched them.
   */
  private carried = new Map<string, CarriedRow>();
  private batches = 0;
  private opCount = 0;
  private appended = new Map<string, { table: string; columns: string[]; rows: string[] }>();
  private appendedRows = 0;
  private inflight: Promise<void> = Promise.resolve();
  private error: unknown = null;

  constructor(
    private readonly connection: Kysely<Database>,
    private readonly tables: BatchTables,
    private readonly defaults: Map<string, unknown>,
    private readonly stats: BatchStats,
  ) {
    this.appendOnly = new Set(tables.appendOnly);
  }

  private get segment(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    this.stats.statements++;
    const node = compiled.query as Node;
    if (isDeferredWrite(node)) {
      const taken =
        (node.kind === 'InsertQueryNode' && this.insert(node as InsertQueryNode)) || (node.kind === 'UpdateQueryNode' && this.update(node as UpdateQueryNode));
      if (!taken) this.push({ kind: 'statement', node }, undefined, true);
      if (this.opCount >= 5000 || this.appendedRows >= 10_000) await this.flush();
      return { rows: [] };
    }
    // A read, or anything else: what is pending goes first, and has finished.
    await this.flush(true);
    await this.inflight;
    if (this.error) throw this.error;
    this.stats.roundTrips++;
    this.stats.sent++;
    return this.connection.executeQuery<R>(compiled);
  }

  async runAhead<R>(query: { compile(): CompiledQuery<R> }): Promise<R[]> {
    this.stats.roundTrips++;
    this.stats.sent++;
    const result = await this.connection.executeQuery<R>(query.compile());
    return result.rows;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported in a batched transaction');
  }

  async run(statement: string): Promise<void> {
    this.stats.roundTrips++;
    await this.connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commit(): Promise<void> {
    await this.flush(true);
    await this.inflight;
    if (this.error) throw this.error;
    await this.run('commit');
  }

  async rollback(): Promise<void> {
    this.segments = [new Segment()];
    this.carried.clear();
    this.appended.clear();
    await this.inflight;
    await this.run('rollback');
  }

  private push(op: Op, rowKey: string | undefined, barrier: boolean): void {
    // A write that may read any row: every row carried goes out before it.
    if (barrier) for (const key of [...this.carried.keys()]) this.release(key);
    this.segment.ops.push(op);
    this.opCount++;
    if (barrier) this.segments.push(new Segment());
    else if (rowKey !== undefined) this.segment.latest.set(rowKey, op);
  }

  /** An insert: into an append-only table, collected; one row into a keyed table, an op that takes later updates. */
  private insert(node: InsertQueryNode): boolean {
    const table = nameOf(node.into as Node);
    const values = node.values as Node | undefined;
    if (!table || node.onConflict || values?.kind !== 'ValuesNode' || !node.columns) return false;
    const rows = values.values as Node[];
    if (!rows.every((row) => row.kind === 'PrimitiveValueListNode')) return false;
    const columns = node.columns.map((c) => nameOf(c as Node) ?? '');
    if (this.appendOnly.has(table)) {
      const shape = `${table}(${columns.join(',')})`;
      const group = this.appended.get(shape) ?? { table, columns, rows: [] };
      // Written as text at once: a row kept as text until the batch goes out is one small object.
      for (const row of rows) group.rows.push(`(${(row.values as unknown[]).map(literal).join(', ')})`);
      this.appended.set(shape, group);
      this.appendedRows += rows.length;
      return true;
    }
    const keyColumn = this.tables.keyed[table];
    const at = columns.indexOf(keyColumn ?? '');
    if (!keyColumn || rows.length !== 1 || at < 0) return false;
    const row = rows[0]!.values as unknown[];
    const rowKey = `${table}\u0000${String(row[at])}`;
    const rowValues = new Map(columns.map((c, i) => [c, row[i]]));
    if (!this.segment.latest.has(rowKey) && !this.carried.has(rowKey)) {
      this.carried.set(rowKey, { table, node, values: rowValues, touched: this.batches });
      return true;
    }
    this.release(rowKey);
    this.push({ kind: 'insert', table, node, values: rowValues, hoisted: !this.segment.latest.has(rowKey) }, rowKey, false);
    return true;
  }

  /** A carried row into the current segment, in order, before what comes next on its row. */
  private release(rowKey: string): void {
    const row = this.carried.get(rowKey);
    if (!row) return;
    this.carried.delete(rowKey);
    const op: RowInsert = { kind: 'insert', table: row.table, node: row.node, values: row.values, hoisted: !this.segment.latest.has(rowKey) };
    this.segment.ops.push(op);
    this.segment.latest.set(rowKey, op);
    this.opCount++;
  }

  /** Fold an update into a carried row: true when every value is a constant or the column plus a number it knows. */
  private fold(row: CarriedRow, node: UpdateQueryNode): boolean {
    const next = new Map<string, unknown>();
    for (const u of node.updates ?? []) {
      const column = nameOf(u.column as Node) ?? '';
      const value = u.value as Node;
      if (value.kind === 'ValueNode') {
        next.set(column, value.value);
        continue;
      }
      const n = increment(value, column);
      const current = next.has(column) ? next.get(column) : row.values.has(column) ? row.values.get(column) : this.defaults.get(`${row.table}\u0000${column}`);
      if (n === null || typeof current !== 'number') return false;
      next.set(column, current + n);
    }
    for (const [column, value] of next) row.values.set(column, value);
    row.touched = this.batches;
    return true;
  }

  /** An update of one row by its key: folded into the op before it on that row when its values are constants. */
  private update(node: UpdateQueryNode): boolean {
    const table = nameOf(node.table as Node);
    const keyColumn = table ? this.tables.keyed[table] : undefined;
    const where = (node.where as Node | undefined)?.where as Node | undefined;
    if (!table || !keyColumn || node.from || node.joins || node.with || !node.updates) return false;
    if (where?.kind !== 'BinaryOperationNode' || where.operator?.operator !== '=' || where.rightOperand?.kind !== 'ValueNode') return false;
    if (nameOf(where.leftOperand?.column) !== keyColumn) return false;
    const rowKey = `${table}\u0000${String(where.rightOperand.value)}`;
    const carried = this.carried.get(rowKey);
    if (carried && this.fold(carried, node)) return true;
    this.release(rowKey);
    const constant = node.updates.every((u) => u.value.kind === 'ValueNode');
    const before = this.segment.latest.get(rowKey);
    if (constant && before?.kind === 'insert') {
      for (const u of node.updates) before.values.set(nameOf(u.column as Node) ?? '', (u.value as Node).value);
      return true;
    }
    if (constant && before?.kind === 'update') {
      before.node = withUpdates(before.node, node);
      return true;
    }
    this.push({ kind: 'update', node }, rowKey, readsOtherRows(node.updates));
    return true;
  }

  private sql(node: OperationNode): string {
    return this.compiler.compileQuery(node as RootOperationNode, createQueryId()).sql;
  }

  /** The segment's hoisted inserts. */
  private inserts(segment: Segment): string[] {
    return rowInserts(segment.ops.filter((op): op is RowInsert => op.kind === 'insert' && op.hoisted));
  }

  /** Send what is pending (`all`: the carried rows too) as one request, after the one before it has finished; wait for that one only. */
  private async flush(all = false): Promise<void> {
    const going: CarriedRow[] = [];
    for (const [key, row] of this.carried) {
      if (all || row.touched <= this.batches - COLD_AFTER || this.carried.size > MAX_CARRIED) {
        going.push(row);
        this.carried.delete(key);
      }
    }
    this.batches++;
    if (this.opCount === 0 && this.appended.size === 0 && going.length === 0) return;
    const statements: string[] = [];
    for (const segment of this.segments) {
      statements.push(...this.inserts(segment));
      for (const op of segment.ops) {
        if (op.kind === 'insert' && op.hoisted) continue;
        if (op.kind === 'insert') {
          const columns = [...op.values.keys()];
          statements.push(insertSql(op.table, columns, [columns.map((c) => literal(op.values.get(c)))]));
        } else {
          statements.push((op.kind === 'update' && constantUpdateSql(op.node)) || this.sql(op.node));
        }
      }
    }
    statements.push(...rowInserts(going));
    for (const { table, columns, rows } of this.appended.values()) {
      for (let i = 0; i < rows.length; i += 1000) statements.push(`insert into ${identifier(table)} (${columns.map(identifier).join(', ')}) values ${rows.slice(i, i + 1000).join(', ')}`);
    }
    this.segments = [new Segment()];
    this.opCount = 0;
    this.appended.clear();
    this.appendedRows = 0;
    this.stats.sent += statements.length;
    this.stats.roundTrips++;
    // Chained now, so that batches go out in order; awaited one behind, so that the caller never
    // runs more than one batch ahead of PostgreSQL.
    const previous = this.inflight;
    this.inflight = previous
      .then(async () => {
        const started = performance.now();
        await this.connection.executeQuery(CompiledQuery.raw(statements.join(';\n')));
        this.stats.batchMs += performance.now() - started;
      })
      .then(
        () => undefined,
        (error: unknown) => {
          this.error ??= error;
        },
      );
    await previous;
  }
}

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows as multi-row inserts, per table and chunk, every row with every column any of them sets. */
function rowInserts(rows: { table: string; values: Map<string, unknown> }[]): string[] {
  const byTable = new Map<string, { values: Map<string, unknown> }[]>();
  for (const row of rows) {
    const list = byTable.get(row.table);
    if (list) list.push(row);
    else byTable.set(row.table, [row]);
  }
  const statements: string[] = [];
  for (const [table, list] of byTable) {
    const columns = [...new Set(list.flatMap((r) => [...r.values.keys()]))].sort();
    for (let i = 0; i < list.length; i += 500) {
      const values = list.slice(i, i + 500).map((r) => columns.map((c) => (r.values.has(c) ? literal(r.values.get(c)) : 'default')));
      statements.push(insertSql(table, columns, values));
    }
  }
  return statements;
}

/** `insert into t (columns) values (...), (...)`, the values already literals (or `default`). */
function insertSql(table: string, columns: string[], rows: string[][]): string {
  return `insert into ${identifier(table)} (${columns.map(identifier).join(', ')}) values ${rows.map((row) => `(${row.join(', ')})`).join(', ')}`;
}

/** `update t set c = literal, ... where key = literal` for an update of constants by key; null for any other. */
function constantUpdateSql(node: UpdateQueryNode): string | null {
  const where = (node.where as Node | undefined)?.where as Node | undefined;
  const table = nameOf(node.table as Node);
  if (!table || !node.updates?.every((u) => u.value.kind === 'ValueNode') || where?.kind !== 'BinaryOperationNode' || where.rightOperand?.kind !== 'ValueNode') return null;
  const sets = node.updates.map((u) => `${identifier(nameOf(u.column as Node)!)} = ${literal((u.value as Node).value)}`).join(', ');
  return `update ${identifier(table)} set ${sets} where ${identifier(nameOf(where.leftOperand?.column)!)} = ${literal(where.rightOperand.value)}`;
}

/** The first update with the second's columns set over it. */
function withUpdates(first: UpdateQueryNode, second: UpdateQueryNode): UpdateQueryNode {
  const updates = [...(first.updates ?? [])];
  for (const update of second.updates ?? []) {
    const at = updates.findIndex((u) => nameOf(u.column as Node) === nameOf(update.column as Node));
    if (at >= 0) updates[at] = update;
    else updates.push(update);
  }
  return { ...first, updates } as UpdateQueryNode;
}
