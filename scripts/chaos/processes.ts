import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on loopback: opened, read back and closed again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Exit {
  /** Seconds since the run started. */
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of its output before it died. */
  tail: string;
}

/**
 * A child process the run can kill with SIGKILL and start again. It runs in a process group of its
 * own, so that a kill reaches whatever it started too. An exit the run did not cause is a crash: it
 * is recorded, and the process is started again after a second so that the run goes on.
 */
export class Supervised {
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private stopping = false;
  readonly crashes: Exit[] = [];
  starts = 0;
  kills = 0;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
    private readonly clock: () => number,
    private readonly log: (line: string) => void,
    private readonly cwd: string,
  ) {}

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.child) return;
    const out = openSync(this.logFile, 'a');
    const child = spawn(this.command, this.args, { cwd: this.cwd, env: this.env, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    this.starts += 1;
    this.expectingExit = false;
    this.child = child;
    child.once('exit', (code, signal) => {
      this.child = null;
      if (this.expectingExit || this.stopping) return;
      const exit: Exit = { at: this.clock(), code, signal, tail: tailOf(this.logFile, 30) };
      this.crashes.push(exit);
      this.log(`CRASH: ${this.name} exited by itself (code ${code}, signal ${signal}); starting it again`);
      setTimeout(() => {
        if (!this.stopping) this.start();
      }, 1000).unref();
    });
  }

  /** SIGKILL to its process group: no shutdown of any kind. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.expectingExit = true;
    this.kills += 1;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGKILL');
    await exited;
  }

  /** SIGTERM, and SIGKILL after `graceMs`. */
  async terminate(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.expectingExit = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** For good, at the end of the run. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.terminate();
  }

  /** At exit, whatever happened: nothing of the run outlives it. */
  killNow(): void {
    this.stopping = true;
    if (this.child?.pid) signalGroup(this.child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n').trim();
  } catch {
    return '';
  }
}
