import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';

export interface SecretDialogData {
  name: string;
  secret: string;
  /** 'created' or 'regenerated', for the title. */
  reason: 'created' | 'regenerated';
}

/** Shows a new secret once. It closes only after "I have copied this token" is ticked. */
@Component({
  selector: 'app-secret-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatCheckboxModule, MatDialogModule, MatFormFieldModule, MatIconModule, MatInputModule],
  template: `
    <h2 mat-dialog-title>{{ data.reason === 'created' ? 'Token created' : 'Token regenerated' }}: {{ data.name }}</h2>
    <mat-dialog-content>
      <p><strong>Copy this token now.</strong> It is shown only once; Tessera stores only a hash and cannot show it again.</p>
      <div class="secret-row">
        <mat-form-field appearance="outline" class="secret" subscriptSizing="dynamic">
          <mat-label>Token secret</mat-label>
          <input matInput readonly [value]="data.secret" (focus)="$any($event.target).select()" />
        </mat-form-field>
        <button mat-stroked-button type="button" (click)="copy()">
          <mat-icon svgIcon="copy" />
          {{ copiedOnce() ? 'Copied' : 'Copy' }}
        </button>
        <button mat-stroked-button type="button" (click)="download()">
          <mat-icon svgIcon="download" />
          Download .txt
        </button>
      </div>
      <mat-checkbox [checked]="acknowledged()" (change)="acknowledged.set($event.checked)">I have copied this token</mat-checkbox>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-flat-button type="button" [disabled]="!acknowledged()" (click)="close()">Close</button>
    </mat-dialog-actions>
  `,
  styles: `
    .secret-row { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin: 8px 0 16px; }
    .secret { flex: 1 1 100%; }
    .secret input { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 14px; }
  `,
})
export class SecretDialog {
  protected readonly data = inject<SecretDialogData>(MAT_DIALOG_DATA);
  private readonly ref = inject<MatDialogRef<SecretDialog, void>>(MatDialogRef);
  private readonly clipboard = inject(Clipboard);
  readonly acknowledged = signal(false);
  protected readonly copiedOnce = signal(false);

  constructor() {
    this.ref.disableClose = true;
  }

  copy(): void {
    this.copiedOnce.set(this.clipboard.copy(this.data.secret));
  }

  download(): void {
    const blob = new Blob([`${this.data.secret}\n`], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${this.data.name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'token'}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  close(): void {
    if (this.acknowledged()) this.ref.close();
  }
}
