import { createServer } from 'node:net';

/** A port on loopback that was free a moment ago (for the test stacks, the fuzz run, the benchmark). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A port `npm start` listens on, and the setting that moves it. */
export interface StartPort {
  setting: string;
  port: number;
  /** Whose port it is, for the message. */
  what: string;
  host?: string;
}

/** The ports of `ports` that something else already holds, each as a sentence naming its setting. */
export async function takenPorts(ports: readonly StartPort[]): Promise<string[]> {
  const taken: string[] = [];
  for (const wanted of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(wanted.port, wanted.host ?? '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) taken.push(`Port ${wanted.port} (${wanted.what}) is taken; set ${wanted.setting} to a free port`);
  }
  return taken;
}
