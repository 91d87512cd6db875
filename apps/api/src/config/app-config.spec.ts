import { ConfigError, parseConfig, parseTrustProxy } from './app-config';

describe('configuration', () => {
  it('has defaults that run on a bare machine', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: null,
      dataDir: '.data',
      adminEmail: 'admin@tessera.local',
      adminPassword: null,
      trustProxy: { mode: 'none' },
      authCache: true,
      logLevel: 'info',
      logFormat: 'auto',
      adminDist: 'dist/apps/admin/browser',
      sessionTtlSeconds: 10_800,
    });
  });

  it('names every bad variable and hides password values', () => {
    let error: unknown;
    try {
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ADMIN_PASSWORD: 'short', TRUST_PROXY: 'everyone', AUTH_CACHE: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT="eighty"', 'DATABASE_URL', 'ADMIN_PASSWORD=(hidden)', 'TRUST_PROXY="everyone"', 'AUTH_CACHE']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('short');
  });

  it('e-mails invitations only with SMTP_URL and PUBLIC_URL, never echoing the SMTP URL (it may carry a password)', () => {
    expect(parseConfig({})).toMatchObject({ smtpUrl: null, publicUrl: null, smtpFrom: 'Tessera <tessera@localhost>' });
    expect(parseConfig({ SMTP_URL: 'smtp://u:p@mail:25', PUBLIC_URL: 'https://t.example' })).toMatchObject({
      smtpUrl: 'smtp://u:p@mail:25',
      publicUrl: 'https://t.example',
    });
    expect(() => parseConfig({ SMTP_URL: 'smtp://u:secret-pw@mail:25' })).toThrow(/SMTP_URL=\(hidden\): needs PUBLIC_URL/);
    expect(() => parseConfig({ SMTP_URL: 'http://u:secret-pw@mail', PUBLIC_URL: 'https://t.example' })).toThrow(/SMTP_URL=\(hidden\)/);
    expect(() => parseConfig({ SMTP_URL: 'http://u:secret-pw@mail', PUBLIC_URL: 'https://t.example' })).not.toThrow(/secret-pw/);
    expect(() => parseConfig({ PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/PUBLIC_URL/);
  });

  it('reads LOG_FORMAT as pretty or json, and refuses anything else naming it', () => {
    expect(parseConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(parseConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => parseConfig({ LOG_FORMAT: 'text' })).toThrow(/LOG_FORMAT="text"/);
  });

  it('reads AUTH_STALE_ON_OUTAGE_SECONDS: 0 (consistency first) unless set, whole seconds up to a day', () => {
    expect(parseConfig({}).authStaleOnOutageSeconds).toBe(0);
    expect(parseConfig({ AUTH_STALE_ON_OUTAGE_SECONDS: '' }).authStaleOnOutageSeconds).toBe(0);
    expect(parseConfig({ AUTH_STALE_ON_OUTAGE_SECONDS: '30' }).authStaleOnOutageSeconds).toBe(30);
    expect(parseConfig({ AUTH_STALE_ON_OUTAGE_SECONDS: '86400' }).authStaleOnOutageSeconds).toBe(86_400);
    for (const bad of ['-1', '1.5', 'ten', '86401']) {
      expect(() => parseConfig({ AUTH_STALE_ON_OUTAGE_SECONDS: bad })).toThrow(`AUTH_STALE_ON_OUTAGE_SECONDS=${JSON.stringify(bad)}`);
    }
  });

  it('reads TRUST_PROXY as a hop count, CIDRs or named ranges', () => {
    expect(parseTrustProxy(undefined)).toEqual({ mode: 'none' });
    expect(parseTrustProxy('2')).toEqual({ mode: 'hops', hops: 2 });
    expect(parseTrustProxy('10.0.0.0/8, 2001:db8::1')).toEqual({ mode: 'cidrs', rules: ['10.0.0.0/8', expect.stringContaining('2001:db8::1')] });
    expect(parseTrustProxy('loopback')).toEqual({ mode: 'cidrs', rules: ['127.0.0.0/8', '::1/128'] });
    expect(() => parseTrustProxy('10.0.0.1/8')).toThrow(/10\.0\.0\.1\/8/);
    expect(() => parseTrustProxy('true')).toThrow();
  });

  it('counts usage unless the bench-only TESSERA_BENCH_USAGE=off is given', () => {
    expect(parseConfig({}).usageCounting).toBeUndefined();
    expect(parseConfig({ TESSERA_BENCH_USAGE: 'on' }).usageCounting).toBeUndefined();
    expect(parseConfig({ TESSERA_BENCH_USAGE: 'off' }).usageCounting).toBe(false);
    expect(() => parseConfig({ TESSERA_BENCH_USAGE: 'no' })).toThrow(/TESSERA_BENCH_USAGE/);
  });

  it('reads DATABASE_RUNTIME_URL only with DATABASE_URL and another role, never echoing either URL', () => {
    const owner = 'postgres://owner:owner-secret@db/tessera';
    expect(parseConfig({ DATABASE_URL: owner, DATABASE_RUNTIME_URL: 'postgres://app:app-secret@db/tessera' }).databaseRuntimeUrl).toBe(
      'postgres://app:app-secret@db/tessera',
    );
    expect(parseConfig({ DATABASE_URL: owner }).databaseRuntimeUrl).toBeNull();
    const refusals: [Record<string, string>, RegExp][] = [
      [{ DATABASE_RUNTIME_URL: 'postgres://app:app-secret@db/tessera' }, /needs DATABASE_URL/],
      [{ DATABASE_URL: owner, DATABASE_RUNTIME_URL: 'postgres://owner:other-secret@db/tessera' }, /another role/],
      [{ DATABASE_URL: owner, DATABASE_RUNTIME_URL: 'postgres://db/tessera' }, /must name the runtime role/],
      [{ DATABASE_URL: 'mysql://owner:owner-secret@db', DATABASE_RUNTIME_URL: 'mysql://app:app-secret@db' }, /DATABASE_RUNTIME_URL=\(hidden\)/],
    ];
    for (const [env, problem] of refusals) {
      let message = '';
      try {
        parseConfig(env);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(problem);
      expect(message).not.toMatch(/secret/);
    }
  });
});
