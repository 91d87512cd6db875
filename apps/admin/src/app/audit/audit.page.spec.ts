import { TestBed } from '@angular/core/testing';
import type { AuditEventDto } from '@tessera/domain';
import { of } from 'rxjs';
import { AuditApi } from '../api/audit.api';
import { testProviders } from '../testing';
import { AuditPage } from './audit.page';

function anEvent(fields: Partial<AuditEventDto>): AuditEventDto {
  return {
    id: crypto.randomUUID(),
    at: '2031-03-01T12:00:00.000Z',
    actor: null,
    action: 'auth.denied',
    targetType: null,
    targetId: null,
    targetName: null,
    ip: '203.0.113.7',
    userAgent: null,
    outcome: 'failure',
    reason: 'unknown',
    details: {},
    count: 1,
    lastAt: null,
    ...fields,
  };
}

describe('AuditPage', () => {
  it('shows how many refusals a summary row stands for, and nothing extra on single events', async () => {
    const items = [
      anEvent({ ip: '203.0.113.0/24', count: 29, lastAt: '2031-03-01T12:00:59.000Z', details: { summary: 'network' } }),
      anEvent({}),
    ];
    TestBed.configureTestingModule({
      imports: [AuditPage],
      providers: [...testProviders(), { provide: AuditApi, useValue: { list: () => of({ items, total: 2, page: 1, pageSize: 20 }) } }],
    });
    const fixture = TestBed.createComponent(AuditPage);
    await fixture.whenStable();
    fixture.detectChanges();
    const rows = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('tr.mat-mdc-row'));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain('× 29 events');
    expect(rows[1]?.textContent).not.toContain('events');
  });
});
