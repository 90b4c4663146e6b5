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
 * - `keyed`: tables written by their key only (`insert` one row, `update ... where key = value`):
 *   writes to one row with constant values merge into the write before them on that row, and
 *   rows inserted go out together as multi-row inserts.
 * - `appendOnly`: tables that are only inserted into and that nothing in the batch reads or
 *   updates: their rows go out as multi-row inserts at the end of each batch.
 */
export interface BatchTables {
  keyed: Record<string, string>;
  appendOnly: readonly string[];
}

/** Reads that do not depend on the transaction's pending writes. */
export interface AheadReads {
  /**
   * Run the query now, ahead of the writes still pending (for example the next page of a table
   * the transaction does not write to), so that its rows are there when they are needed.
   */
  readAhead<R>(query: { compile(): CompiledQuery<R> }): Promise<R[]>;
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
 * writes, such as a projection rebuild, this takes the round trip per statement away, and most of
 * the statements.
 *
 * What the caller gives up: a write reports no result (no `returning`, no affected-row count), and
 * its error surfaces at the next read or at the commit. Writes of rows in different tables or with
 * different keys are taken to be independent: they may be sent in another order (rows inserted
 * first), except around a write that reads other rows (a subquery), which nothing moves across.
 * Writes whose values are expressions (`paid_cents + 5`) keep their order on their row. Immediate
 * triggers that read other rows would see the writes in that other order: the caller switches such
 * triggers off.
 */
export async function inBatchedTransaction<T>(
  db: Db,
  tables: BatchTables,
  fn: (trx: Transaction<Database>, reads: AheadReads) => Promise<T>,
  stats?: BatchStats,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    const setting = await sql<{ standard_conforming_strings: string }>`show standard_conforming_strings`.execute(connection);
    if (setting.rows[0]?.standard_conforming_strings !== 'on') throw new Error('batched writes need standard_conforming_strings = on');
    const batch = new StatementBatch(connection, tables, stats ?? { statements: 0, sent: 0, roundTrips: 0, batchMs: 0 });
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
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return 'null';
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString('hex')}'::bytea`;
  const text = String(prepared);
  if (text.includes('\u0000')) throw new Error('a text value with a NUL character cannot be sent in a batch');
  return `'${text.includes("'") ? text.replace(/'/g, "''") : text}'`;
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

/** Writes between two barriers (writes that read other rows): within it, writes to different rows commute. */
class Segment {
  readonly ops: Op[] = [];
  /** The latest op on each row (table + key). */
  readonly latest = new Map<string, Op>();
}

class StatementBatch implements DatabaseConnection, AheadReads {
  private readonly compiler = new LiteralCompiler();
  private segments: Segment[] = [new Segment()];
  private opCount = 0;
  private appended = new Map<string, { table: string; columns: string[]; rows: string[] }>();
  private appendedRows = 0;
  private inflight: Promise<void> = Promise.resolve();
  private error: unknown = null;

  constructor(
    private readonly connection: Kysely<Database>,
    private readonly tables: BatchTables,
    private readonly stats: BatchStats,
  ) {}

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
    await this.flush();
    await this.inflight;
    if (this.error) throw this.error;
    this.stats.roundTrips++;
    this.stats.sent++;
    return this.connection.executeQuery<R>(compiled);
  }

  async readAhead<R>(query: { compile(): CompiledQuery<R> }): Promise<R[]> {
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
    await this.flush();
    await this.inflight;
    if (this.error) throw this.error;
    await this.run('commit');
  }

  async rollback(): Promise<void> {
    this.segments = [new Segment()];
    this.appended.clear();
    await this.inflight;
    await this.run('rollback');
  }

  private push(op: Op, rowKey: string | undefined, barrier: boolean): void {
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
    if (this.tables.appendOnly.includes(table)) {
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
    const op: RowInsert = { kind: 'insert', table, node, values: new Map(columns.map((c, i) => [c, row[i]])), hoisted: !this.segment.latest.has(rowKey) };
    this.push(op, rowKey, false);
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

  /** The segment's hoisted inserts, a multi-row insert per table and chunk, every row with every column any of them sets. */
  private inserts(segment: Segment): string[] {
    const byTable = new Map<string, RowInsert[]>();
    for (const op of segment.ops) {
      if (op.kind !== 'insert' || !op.hoisted) continue;
      const rows = byTable.get(op.table);
      if (rows) rows.push(op);
      else byTable.set(op.table, [op]);
    }
    const statements: string[] = [];
    for (const [table, rows] of byTable) {
      const columns = [...new Set(rows.flatMap((r) => [...r.values.keys()]))].sort();
      for (let i = 0; i < rows.length; i += 500) {
        const values = rows.slice(i, i + 500).map((r) => columns.map((c) => (r.values.has(c) ? literal(r.values.get(c)) : 'default')));
        statements.push(insertSql(table, columns, values));
      }
    }
    return statements;
  }

  /** Send what is pending as one request, after the one before it has finished; wait for that one only. */
  private async flush(): Promise<void> {
    if (this.opCount === 0 && this.appended.size === 0) return;
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
