import { generateTokenSecret } from '@tessera/domain';
import { redactUrl } from './logging';

describe('request log redaction', () => {
  it('never lets a secret from a URL reach a log line', () => {
    const secret = generateTokenSecret();
    expect(redactUrl(`/api/v1/auth/me?access_token=${secret}&x=1`)).toBe('/api/v1/auth/me?access_token=[Redacted]&x=1');
    expect(redactUrl(`/api/v1/tokens?q=${secret}`)).not.toContain(secret);
    expect(redactUrl('/api/v1/tokens?password=hunter2')).not.toContain('hunter2');
    expect(redactUrl('/api/v1/tokens?q=deploy')).toBe('/api/v1/tokens?q=deploy');
  });
});
