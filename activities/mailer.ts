import nodemailer from 'nodemailer';

export interface OutgoingMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Mail over SMTP; the Message-ID is the letter's own, so a relay or inbox can tell a resend. A
 * reply goes to the corporation's own address (Reply-To), not to the sender that nobody reads.
 */
export function createSmtpMailer(smtpUrl: string, from: string, replyTo?: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        ...(replyTo ? { replyTo } : {}),
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        attachments: mail.attachments,
      });
    },
    close() {
      transport.close();
    },
  };
}
