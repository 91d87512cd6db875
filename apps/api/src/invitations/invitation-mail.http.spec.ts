import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { CreatedInvitationDto, RoleDto } from '@tessera/domain';
import { SMTPServer } from 'smtp-server';
import { createTestApp, type TestApp } from '../testing/test-app';
import { as } from '../tokens/testing/api-client';

interface Received {
  from: string;
  to: string[];
  data: string;
}

/** A real SMTP server on 127.0.0.1 that keeps what it is sent. */
async function startSmtp(): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return { server, port: (server.server.address() as AddressInfo).port, received };
}

/** Quoted-printable soft line breaks and escapes undone, so a long link can be found whole. */
function plainText(mime: string): string {
  return mime.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('invitation e-mails through SMTP_URL', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  let readOnly: RoleDto;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        SMTP_FROM: 'Tessera <tessera@example.test>',
        PUBLIC_URL: 'https://tessera.example.test',
      },
    });
    readOnly = ((await as(t, t.admin.token).get('/roles').expect(200)).body as RoleDto[]).find((r) => r.name === 'Read only') as RoleDto;
  });

  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
  });

  it('e-mails the link (pointing at PUBLIC_URL, never at a forged Host or Origin) and says so', async () => {
    const res = await as(t, t.admin.token)
      .post('/invitations', { email: 'mailed@example.test', roleId: readOnly.id })
      .set('Origin', 'https://evil.example')
      .set('Host', 'evil.example');
    expect(res.status).toBe(201);
    const body = res.body as CreatedInvitationDto;
    expect(body.emailed).toBe(true);
    expect(body.link.startsWith('https://tessera.example.test/invitations/accept#secret=tsi_')).toBe(true);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0] as Received;
    expect(mail.to).toEqual(['mailed@example.test']);
    expect(mail.from).toBe('tessera@example.test');
    const text = plainText(mail.data);
    expect(text).toContain(body.link);
    expect(text).toContain('Subject: You are invited to Default on Tessera');
    expect(text).toContain('"Read only"');
    expect(text).not.toContain('evil.example');
  });

  it('a resend e-mails the new link', async () => {
    const admin = as(t, t.admin.token);
    const created = (await admin.post('/invitations', { email: 'resent@example.test', roleId: readOnly.id }).expect(201)).body as CreatedInvitationDto;
    const resent = (await admin.post(`/invitations/${created.invitation.id}/resend`).expect(200)).body as CreatedInvitationDto;
    const last = smtp.received.at(-1) as Received;
    expect(last.to).toEqual(['resent@example.test']);
    expect(plainText(last.data)).toContain(resent.link);
    expect(plainText(last.data)).not.toContain(created.link);
  });

  it('when the SMTP server is gone the invitation still exists and the link is answered for passing on by hand', async () => {
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
    const res = await as(t, t.admin.token).post('/invitations', { email: 'unsent@example.test', roleId: readOnly.id });
    expect(res.status).toBe(201);
    expect(res.body.emailed).toBe(false);
    expect(res.body.link).toMatch(/#secret=tsi_/);
  });
});
