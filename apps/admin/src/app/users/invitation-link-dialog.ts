import { Clipboard } from '@angular/cdk/clipboard';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import type { CreatedInvitationDto } from '@tessera/domain';

/** Shows an invitation link once (no e-mail was sent), with a copy button. */
@Component({
  selector: 'app-invitation-link-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule, MatDialogModule, MatFormFieldModule, MatIconModule, MatInputModule],
  template: `
    <h2 mat-dialog-title>Invitation link for {{ data.invitation.email }}</h2>
    <mat-dialog-content>
      <p>
        <strong>Copy this link now and send it to {{ data.invitation.email }}.</strong> It is shown only once, works once and expires on
        {{ data.invitation.expiresAt | date: 'yyyy-MM-dd HH:mm' }}.
      </p>
      <div class="link-row">
        <mat-form-field appearance="outline" class="link" subscriptSizing="dynamic">
          <mat-label>Invitation link</mat-label>
          <input matInput readonly [value]="data.link" (focus)="$any($event.target).select()" />
        </mat-form-field>
        <button mat-stroked-button type="button" (click)="copy()">
          <mat-icon svgIcon="copy" />
          {{ copied() ? 'Copied' : 'Copy link' }}
        </button>
      </div>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-flat-button type="button" mat-dialog-close>Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .link-row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
    .link { flex: 1 1 100%; }
    .link input { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 13px; }
  `,
})
export class InvitationLinkDialog {
  protected readonly data = inject<CreatedInvitationDto>(MAT_DIALOG_DATA);
  private readonly clipboard = inject(Clipboard);
  protected readonly copied = signal(false);

  copy(): void {
    this.copied.set(this.clipboard.copy(this.data.link));
  }
}
