import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export interface InvitationMail {
  to: string;
  link: string;
  organizationName: string;
  roleName: string;
  invitedBy: string;
  expiresAt: Date;
}

/**
 * Sends invitation links by e-mail through SMTP_URL (nodemailer). Without SMTP_URL it sends nothing
 * and the console shows the link once instead. A failed send is logged without the link (it holds
 * the secret) and reported to the caller, who still gets the link to pass on by hand.
 */
@Injectable()
export class InvitationMailer implements OnApplicationShutdown {
  private readonly logger = new Logger(InvitationMailer.name);
  private readonly transport: Transporter | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.smtpUrl ? createTransport(config.smtpUrl, { from: config.smtpFrom }) : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** true when the SMTP server accepted the message. */
  async send(mail: InvitationMail): Promise<boolean> {
    if (!this.transport) return false;
    try {
      await this.transport.sendMail({
        to: mail.to,
        subject: `You are invited to ${mail.organizationName} on Tessera`,
        text: [
          `${mail.invitedBy} invited you to join ${mail.organizationName} on Tessera with the role "${mail.roleName}".`,
          '',
          'Open this link to choose your name and password:',
          mail.link,
          '',
          `The link works once and expires on ${mail.expiresAt.toUTCString()} (72 hours after it was sent).`,
          'If you did not expect this invitation, ignore this message.',
        ].join('\n'),
      });
      return true;
    } catch (error) {
      // Never the link: it carries the secret.
      this.logger.warn(`Invitation e-mail to ${mail.to} not sent: ${(error as Error).message}`);
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
