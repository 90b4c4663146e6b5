import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface MailCatcher {
  url: string;
  folder: string;
  close(): Promise<void>;
}

/**
 * The development stand-in for an SMTP relay: accepts every message on loopback and keeps it as an
 * .eml file (open it in any mail client), logging one line per message.
 */
export async function startMailCatcher(folder: string, port = 1025, log: (line: string) => void = console.log): Promise<MailCatcher> {
  mkdirSync(folder, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        count += 1;
        const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(count).padStart(4, '0')}.eml`);
        writeFileSync(file, raw);
        simpleParser(raw)
          .then((mail) => log(`mail to ${session.envelope.rcptTo.map((r) => r.address).join(', ')}: ${mail.subject ?? ''}`))
          .catch(() => undefined)
          .finally(() => callback());
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${address.port}`, folder, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
