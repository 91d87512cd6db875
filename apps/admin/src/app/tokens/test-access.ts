import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { ExplainDraftInput, ExplainResponseDto, HTTP_METHODS } from '@tessera/domain';
import { AccessApi } from '../api/access.api';
import { readProblem } from '../core/problem';

/**
 * "Test access": asks the api what its guard would decide for this token, step by step — a saved
 * one (`tokenId`) or, in the create drawer, the rules being typed (`draft`, read when checking).
 */
@Component({
  selector: 'app-test-access',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  template: `
    <section class="panel" aria-labelledby="test-access-title">
      <h3 id="test-access-title">Test access</h3>
      <p class="hint">What would happen if {{ tokenId() ? 'this token' : 'a token with the rules above' }} called the api like this? Nothing is sent with the token itself.</p>
      <form [formGroup]="form" (ngSubmit)="run()" class="grid">
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Method</mat-label>
          <mat-select formControlName="method">
            @for (m of methods; track m) {
              <mat-option [value]="m">{{ m }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide">
          <mat-label>Path</mat-label>
          <input matInput formControlName="path" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Client IP</mat-label>
          <input matInput formControlName="ip" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic">
          <mat-label>Origin (optional)</mat-label>
          <input matInput formControlName="origin" placeholder="https://app.example.com" />
        </mat-form-field>
        <mat-form-field appearance="outline" subscriptSizing="dynamic" class="wide">
          <mat-label>Required permission (optional)</mat-label>
          <input matInput formControlName="permission" placeholder="tokens:read" />
        </mat-form-field>
        <button mat-stroked-button type="submit" [disabled]="form.invalid || running()">Check access</button>
      </form>
      @if (error(); as e) {
        <p class="result denied" role="status">{{ e }}</p>
      }
      @if (result(); as r) {
        <div class="result" [class.allowed]="r.allowed" [class.denied]="!r.allowed" role="status">
          @if (r.allowed) {
            <strong>Allowed</strong>
          } @else {
            <strong>Refused ({{ r.status }}{{ r.reason ? ', ' + r.reason : '' }})</strong>: {{ r.message }}
          }
        </div>
        @if (r.steps.length) {
          <ol class="steps" aria-label="Decision steps">
            @for (s of r.steps; track $index) {
              <li [class.fail]="!s.ok"><span class="mark" aria-hidden="true">{{ s.ok ? '✓' : '✗' }}</span> <b>{{ s.step }}</b> {{ s.ok ? 'passed' : 'refused' }} — {{ s.detail }}</li>
            }
          </ol>
        }
      }
    </section>
  `,
  styles: `
    .panel { border: 1px solid var(--mat-sys-outline-variant); border-radius: 12px; padding: 12px 16px; margin-top: 8px; }
    h3 { margin: 0 0 4px; font: var(--mat-sys-title-medium); }
    .hint { margin: 0 0 12px; color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
    .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 12px; align-items: center; }
    .wide { grid-column: span 2; }
    .result { margin: 12px 0 4px; padding: 8px 12px; border-radius: 8px; }
    .allowed { background: #e3f4e6; color: #135c24; }
    .denied { background: #fde7e6; color: #8c1d18; }
    .steps { margin: 4px 0 0; padding-left: 20px; font: var(--mat-sys-body-small); }
    .fail { color: #8c1d18; }
    .mark { display: inline-block; width: 1.2em; }
  `,
})
export class TestAccess {
  readonly tokenId = input<string | null>(null);
  readonly draft = input<(() => ExplainDraftInput) | null>(null);
  private readonly api = inject(AccessApi);
  protected readonly methods = HTTP_METHODS;
  protected readonly form = inject(FormBuilder).nonNullable.group({
    method: ['GET' as (typeof HTTP_METHODS)[number], Validators.required],
    path: ['/api/v1/tokens', Validators.required],
    ip: ['127.0.0.1', Validators.required],
    origin: [''],
    permission: ['tokens:read'],
  });
  protected readonly running = signal(false);
  protected readonly result = signal<ExplainResponseDto | null>(null);
  protected readonly error = signal<string | null>(null);

  private subject(): { tokenId: string } | { draft: ExplainDraftInput } {
    const id = this.tokenId();
    if (id) return { tokenId: id };
    return { draft: this.draft()?.() ?? {} };
  }

  run(): void {
    const v = this.form.getRawValue();
    this.running.set(true);
    this.error.set(null);
    this.api
      .explain({
        ...this.subject(),
        method: v.method,
        path: v.path.trim(),
        ip: v.ip.trim(),
        origin: v.origin.trim() || null,
        permission: v.permission.trim() || null,
      })
      .subscribe({
        next: (r) => {
          this.result.set(r);
          this.running.set(false);
        },
        error: (e: unknown) => {
          this.result.set(null);
          this.error.set(readProblem(e).message);
          this.running.set(false);
        },
      });
  }
}
