import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The development provider's users: the login is the key (consultant, contractor, finance, admin, manager). */
export const developmentUsers: Record<string, { name: string; email: string; groups: string[] }> = JSON.parse(
  readFileSync(join(__dirname, 'oidc-dev-users.json'), 'utf8'),
);

export interface DevOidcProvider {
  issuer: string;
  stop(): Promise<void>;
}

/**
 * Start the local OpenID Connect provider (scripts/oidc-dev-provider.mjs) as a child process for an
 * application at `publicUrl`, and wait until it listens.
 */
export async function startDevOidcProvider(options: { port: number; clientId: string; clientSecret: string; publicUrl: string }): Promise<DevOidcProvider> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(__dirname, 'oidc-dev-provider.mjs'),
      '--port', String(options.port),
      '--client-id', options.clientId,
      '--client-secret', options.clientSecret,
      '--redirect-uri', `${options.publicUrl}/app/auth/callback`,
      '--post-logout-redirect-uri', `${options.publicUrl}/app/afgemeld`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const errors: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    // oidc-provider warns about its development conveniences at every start: those are the point here.
    for (const line of chunk.toString().split('\n')) if (line.trim() && !line.includes('oidc-provider WARNING')) errors.push(line);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) resolve(line.slice('ready '.length));
    });
    child.once('exit', (code) => reject(new Error(`the development OpenID provider stopped (${code}): ${errors.join(' ').trim() || 'no reason given'}`)));
    setTimeout(() => reject(new Error('the development OpenID provider did not start within 15 s')), 15_000).unref();
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
