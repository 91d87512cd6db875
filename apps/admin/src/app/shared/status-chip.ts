import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** A coloured status label (active, inactive, pending, expired, revoked, success, failure…). */
@Component({
  selector: 'app-status-chip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="chip" [attr.data-status]="status()">{{ status() }}</span>`,
  styles: `
    .chip {
      display: inline-block; padding: 2px 10px; border-radius: 12px; font: var(--mat-sys-label-medium);
      background: var(--mat-sys-surface-container-highest); color: var(--mat-sys-on-surface-variant); text-transform: capitalize;
    }
    [data-status='active'], [data-status='success'] { background: #d7f0dc; color: #0f5223; }
    [data-status='inactive'], [data-status='pending'] { background: #fff0c2; color: #5c4300; }
    [data-status='expired'], [data-status='revoked'], [data-status='failure'] { background: #fddcd9; color: #8c1d18; }
  `,
})
export class StatusChip {
  readonly status = input.required<string>();
}
