import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export interface SinkMessage {
  messageId: string;
  to: string[];
  subject: string;
  /** Seconds since the run started. */
  at: number;
}

/**
 * The SMTP relay of the run: keeps every message it accepts with its Message-ID, and reads the
 * tenants' links out of the letters (as a tenant would click them). `down()` closes the port
 * (connections are refused, as from a relay that is gone), `up()` opens it again.
 */
export class MailSink {
  private server: SMTPServer | null = null;
  readonly messages: SinkMessage[] = [];
  /** Message-ID -> the times it was received: more than one is a letter sent twice. */
  readonly copies = new Map<string, number[]>();
  /** incident id -> tenant id -> the latest link token in a letter to that tenant. */
  readonly links = new Map<string, Map<string, string>>();
  private waiting: (() => void)[] = [];

  constructor(
    readonly port: number,
    private readonly clock: () => number,
  ) {}

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get isUp(): boolean {
    return this.server !== null;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      closeTimeout: 100,
      logger: false,
      size: 20 * 1024 * 1024,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.record({
              messageId: parsed.messageId ?? '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              at: this.clock(),
            }, parsed.text ?? '');
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    // A client that dies mid-conversation (the worker, killed) resets its connection: not our failure.
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The token of the link in the latest letter to `tenantId` about `incidentId`, waiting for it up to `timeoutMs`. */
  async linkFor(incidentId: string, tenantId: string, timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const token = this.links.get(incidentId)?.get(tenantId);
      if (token) return token;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private record(message: SinkMessage, text: string): void {
    this.messages.push(message);
    const times = this.copies.get(message.messageId) ?? [];
    times.push(message.at);
    this.copies.set(message.messageId, times);
    for (const match of text.matchAll(/\/links\/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)/g)) {
      try {
        const payload = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8')) as { i: string; t: string };
        const byTenant = this.links.get(payload.i) ?? new Map<string, string>();
        byTenant.set(payload.t, `${match[1]}.${match[2]}`);
        this.links.set(payload.i, byTenant);
      } catch {
        // not one of our links
      }
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}
