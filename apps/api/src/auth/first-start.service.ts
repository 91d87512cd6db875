import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { createOrganizationWithAdmin, generatePassword } from '../organizations/organization-creation';
import { PasswordHasher } from './password-hasher';

/** Injection token: a function that receives the first-start admin credentials (prints them by default). */
export const FIRST_START_REPORTER = Symbol('FIRST_START_REPORTER');
export type FirstStartReporter = (admin: { email: string; password: string | null; organization: string }) => void;

export const printFirstStart: FirstStartReporter = ({ email, password, organization }) => {
  const lines = [
    '',
    '  Tessera first start: created organization "' + organization + '" and its admin',
    `    email:    ${email}`,
    password ? `    password: ${password}   (generated; shown once — change it after logging in)` : '    password: (from ADMIN_PASSWORD)',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
};

/** With no users at all: organization "Default", its built-in roles and the admin. */
@Injectable()
export class FirstStartService implements OnApplicationBootstrap {
  private readonly logger = new Logger(FirstStartService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FIRST_START_REPORTER) private readonly report: FirstStartReporter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const generated = this.config.adminPassword === null ? generatePassword() : null;
    const password = this.config.adminPassword ?? (generated as string);
    const created = await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(7400101)'); // two instances starting at once
      const [{ n }] = (await m.query('SELECT count(*)::int AS n FROM users')) as [{ n: number }];
      if (n > 0) return false;
      await createOrganizationWithAdmin(m, {
        name: 'Default',
        isRoot: true,
        adminEmail: this.config.adminEmail,
        adminPasswordHash: await this.hasher.hash(password),
      });
      return true;
    });
    if (created) {
      this.logger.log(`first start: organization "Default" and admin ${this.config.adminEmail} created`);
      this.report({ email: this.config.adminEmail, password: generated, organization: 'Default' });
    }
  }
}
