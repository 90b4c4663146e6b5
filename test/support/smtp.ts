import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface CaughtMail {
  envelopeTo: string[];
  from: string;
  /** Where a reply goes (empty: to the sender). */
  replyTo: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  attachments: { filename: string; contentType: string; size: number; content: Buffer }[];
}

export interface TestSmtpServer {
  url: string;
  mails: CaughtMail[];
  /** Mails to one address, in the order they arrived. */
  to(address: string): CaughtMail[];
  /**
   * Answer the mails that `test` picks with a temporary failure (451) until called again with
   * null: the mail activity retries them, and what follows them in a workflow waits.
   */
  refuse(test: ((mail: CaughtMail) => boolean) | null): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback that parses and keeps every message it accepts. Addresses in
 * `refused` are refused for good at RCPT TO (550), as a relay refuses a mailbox that does not exist.
 * `port`: the port of a relay that was closed, to start it again where its clients look for it.
 */
export async function startTestSmtpServer(options: { refused?: Set<string>; port?: number } = {}): Promise<TestSmtpServer> {
  const mails: CaughtMail[] = [];
  let refusing: ((mail: CaughtMail) => boolean) | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 100,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refused?.has(address.address)) {
        callback(Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            from: parsed.from?.text ?? '',
            replyTo: parsed.replyTo?.text ?? '',
            to: Array.isArray(parsed.to) ? parsed.to.map((t) => t.text).join(', ') : (parsed.to?.text ?? ''),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, size: a.size, content: a.content })),
          };
          if (refusing?.(mail)) {
            callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
            return;
          }
          mails.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to: (address) => mails.filter((m) => m.envelopeTo.includes(address)),
    refuse: (test) => {
      refusing = test;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
