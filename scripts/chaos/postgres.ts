import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster of its own, on a free port, that the chaos run may stop with
 * `pg_ctl stop -m immediate` (a crash: no checkpoint, crash recovery at the next start) and start
 * again. Never the machine's own server on 5432: other people use that one.
 *
 * initdb and pg_ctl refuse to run as root. As root the cluster belongs to an unprivileged user
 * (`postgres` when it exists, else `nobody`) and every command runs as that user through `runuser`
 * (or `su` where there is no runuser); as anyone else, as oneself.
 */
export class ThrowawayPostgres {
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;
  private readonly runAs: string | null;

  private constructor(
    readonly binDir: string,
    root: string,
    readonly port: number,
  ) {
    this.runAs = process.getuid?.() === 0 ? unprivilegedUser() : null;
    const base = this.runAs ? reachableBy(this.runAs, root) : root;
    this.dataDir = join(base, 'cluster');
    // The Unix socket in a short path of its own: a socket's path may not be longer than 107 bytes.
    this.socketDir = mkdtempSync(join(tmpdir(), 'pp-chaos-pg-'));
    this.logFile = join(base, 'postgres.log');
    for (const dir of [base, this.socketDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      chmodSync(dir, 0o755);
      if (this.runAs) chownTo(this.runAs, dir);
    }
  }

  /** Finds the binaries, creates the cluster (trust authentication on loopback, user `postgres`). */
  static create(root: string, port: number): ThrowawayPostgres {
    const pg = new ThrowawayPostgres(postgresBinDir(), root, port);
    // --no-sync: a throwaway cluster; crash safety of the server itself is untouched (fsync stays on).
    pg.run('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    return pg;
  }

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/polluter_pays`;
  }

  get baseDir(): string {
    return join(this.dataDir, '..');
  }

  async start(): Promise<void> {
    const options = [`-p ${this.port}`, `-k ${this.socketDir}`, `-c listen_addresses=127.0.0.1`, `-c max_connections=100`, `-c shared_buffers=64MB`].join(' ');
    await this.runAsync('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start']);
  }

  /** The crash: the postmaster and its backends are gone at once, clients' connections cut. */
  async stopImmediately(): Promise<void> {
    await this.runAsync('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  /** At the end of the run (synchronous: also from an exit handler). */
  stop(): void {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    rmSync(this.socketDir, { recursive: true, force: true });
  }

  /** Without blocking the run's event loop: the mail sink and the driver live in it. */
  private runAsync(binary: string, args: string[]): Promise<void> {
    const command = join(this.binDir, binary);
    const [file, argv] = this.runAs ? asUser(this.runAs, command, args) : [command, args];
    return new Promise((resolve, reject) => {
      execFile(file, argv, { cwd: tmpdir(), encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${binary} ${args.join(' ')} failed (${error.message}):\n${(stderr || stdout || '').trim()}`));
        else resolve();
      });
    });
  }

  private run(binary: string, args: string[]): void {
    const command = join(this.binDir, binary);
    const [file, argv] = this.runAs ? asUser(this.runAs, command, args) : [command, args];
    const result = spawnSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
    if (result.status !== 0) {
      throw new Error(`${binary} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${(result.stderr || result.stdout || '').trim()}`);
    }
  }
}

/** PG_BINDIR, else the newest /usr/lib/postgresql/<version>/bin (Debian, Ubuntu), else `pg_config --bindir`. */
export function postgresBinDir(): string {
  const explicit = process.env.PG_BINDIR;
  if (explicit) {
    if (!existsSync(join(explicit, 'initdb'))) throw new Error(`PG_BINDIR=${explicit} has no initdb`);
    return explicit;
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config on the PATH
  }
  throw new Error(
    'chaos: no PostgreSQL server binaries (initdb, pg_ctl) found: install the PostgreSQL server ' +
      '(Debian/Ubuntu: apt-get install postgresql) or set PG_BINDIR to the folder that holds initdb.',
  );
}

function unprivilegedUser(): string {
  for (const user of ['postgres', 'nobody']) {
    if (spawnSync('id', ['-u', user]).status === 0) return user;
  }
  throw new Error('chaos: running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as');
}

function asUser(user: string, command: string, args: string[]): [string, string[]] {
  if (spawnSync('sh', ['-c', 'command -v runuser'], { stdio: 'ignore' }).status === 0) return ['runuser', ['-u', user, '--', command, ...args]];
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return ['su', [user, '-s', '/bin/sh', '-c', quoted]];
}

function chownTo(user: string, dir: string): void {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
}

/**
 * `root` when `user` can reach it (every folder above it searchable), else a fresh folder in the
 * system's temporary directory: a checkout under /root is out of other users' reach.
 */
function reachableBy(user: string, root: string): string {
  mkdirSync(root, { recursive: true });
  const [file, argv] = asUser(user, 'test', ['-x', root]);
  if (spawnSync(file, argv, { stdio: 'ignore' }).status === 0) return join(root, 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'polluter-pays-chaos-pg-'));
  accessSync(dir, constants.W_OK);
  chmodSync(dir, 0o755);
  return dir;
}
