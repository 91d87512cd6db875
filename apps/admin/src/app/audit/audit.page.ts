import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormBuilder, FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDatepickerModule } from '@angular/material/datepicker';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { AuditEventDto } from '@tessera/domain';
import { debounceTime } from 'rxjs';
import { AuditApi } from '../api/audit.api';
import { readProblem } from '../core/problem';
import { StatusChip } from '../shared/status-chip';

@Component({
  selector: 'app-audit-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    JsonPipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatDatepickerModule,
    MatFormFieldModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    MatTableModule,
    MatTooltipModule,
    StatusChip,
  ],
  template: `
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Audit log</h1>
          <p class="sub">Every change and every refused authentication, newest first. Entries are never edited or deleted.</p>
        </div>
      </header>
      <form class="filters" [formGroup]="filters" aria-label="Filter audit events">
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>Actor</mat-label>
          <input matInput formControlName="actor" placeholder="Name, email or id" />
        </mat-form-field>
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>Action</mat-label>
          <input matInput formControlName="action" placeholder="token.create" />
        </mat-form-field>
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>Outcome</mat-label>
          <mat-select formControlName="outcome">
            <mat-option value="">Any outcome</mat-option>
            <mat-option value="success">Success</mat-option>
            <mat-option value="failure">Failure</mat-option>
          </mat-select>
        </mat-form-field>
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>From</mat-label>
          <input matInput [matDatepicker]="fromPicker" formControlName="from" />
          <mat-datepicker-toggle matIconSuffix [for]="fromPicker" aria-label="Open the From calendar" />
          <mat-datepicker #fromPicker />
        </mat-form-field>
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>To</mat-label>
          <input matInput [matDatepicker]="toPicker" formControlName="to" />
          <mat-datepicker-toggle matIconSuffix [for]="toPicker" aria-label="Open the To calendar" />
          <mat-datepicker #toPicker />
        </mat-form-field>
        <button mat-button type="button" (click)="filters.reset()">Clear filters</button>
      </form>
      <div class="table-card">
        @if (loading()) {
          <mat-progress-bar mode="indeterminate" aria-label="Loading audit events" />
        }
        <div class="scroll" tabindex="0" role="region" aria-label="Audit events, scrollable">
          <table mat-table [dataSource]="items()" aria-label="Audit events">
            <ng-container matColumnDef="at">
              <th mat-header-cell *matHeaderCellDef>When</th>
              <td mat-cell *matCellDef="let e" class="nowrap">
                <div>{{ e.at | date: 'yyyy-MM-dd' }}</div>
                <div class="muted small">{{ e.at | date: 'HH:mm:ss' }}</div>
                @if (e.count > 1) {
                  <div class="count small" [matTooltip]="'Last at ' + (e.lastAt | date: 'HH:mm:ss')">× {{ e.count }} events</div>
                }
              </td>
            </ng-container>
            <ng-container matColumnDef="actor">
              <th mat-header-cell *matHeaderCellDef>Actor</th>
              <td mat-cell *matCellDef="let e">
                @if (e.actor) {
                  <div>{{ e.actor.name }}</div>
                  <div class="muted small">{{ e.actor.kind }}</div>
                } @else {
                  <span class="muted">Anonymous</span>
                }
              </td>
            </ng-container>
            <ng-container matColumnDef="action">
              <th mat-header-cell *matHeaderCellDef>Action</th>
              <td mat-cell *matCellDef="let e"><code>{{ e.action }}</code></td>
            </ng-container>
            <ng-container matColumnDef="target">
              <th mat-header-cell *matHeaderCellDef>Target</th>
              <td mat-cell *matCellDef="let e">
                @if (e.targetType) {
                  <div>{{ e.targetName ?? e.targetId }}</div>
                  <div class="muted small">{{ e.targetType }}</div>
                }
              </td>
            </ng-container>
            <ng-container matColumnDef="outcome">
              <th mat-header-cell *matHeaderCellDef>Outcome</th>
              <td mat-cell *matCellDef="let e">
                <app-status-chip [status]="e.outcome" />
                @if (e.reason) {
                  <div class="muted small">{{ e.reason }}</div>
                }
              </td>
            </ng-container>
            <ng-container matColumnDef="ip">
              <th mat-header-cell *matHeaderCellDef>IP</th>
              <td mat-cell *matCellDef="let e"><code>{{ e.ip }}</code></td>
            </ng-container>
            <ng-container matColumnDef="details">
              <th mat-header-cell *matHeaderCellDef>Details</th>
              <td mat-cell *matCellDef="let e">
                <span class="details small" [matTooltip]="(e.details | json) + (e.userAgent ? ' — ' + e.userAgent : '')">{{ summary(e) }}</span>
              </td>
            </ng-container>
            <tr mat-header-row *matHeaderRowDef="columns; sticky: true"></tr>
            <tr mat-row *matRowDef="let row; columns: columns"></tr>
            <tr class="mat-mdc-row" *matNoDataRow>
              <td class="empty" [attr.colspan]="columns.length">{{ loading() ? 'Loading…' : (error() ?? 'No audit event matches these filters.') }}</td>
            </tr>
          </table>
        </div>
        <mat-paginator [length]="total()" [pageIndex]="pageIndex()" [pageSize]="pageSize()" [pageSizeOptions]="[20, 50, 100]" (page)="onPage($event)" aria-label="Audit pages" />
      </div>
    </div>
  `,
  styles: `
    .filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 16px; }
    .filters mat-form-field { flex: 1 1 150px; max-width: 220px; }
    .nowrap { white-space: nowrap; }
    code { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 12px; }
    .count { font-weight: 500; }
    .details { display: inline-block; max-width: 180px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  `,
})
export class AuditPage implements OnInit {
  private readonly api = inject(AuditApi);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly columns = ['at', 'actor', 'action', 'target', 'outcome', 'ip', 'details'];
  protected readonly items = signal<AuditEventDto[]>([]);
  protected readonly total = signal(0);
  protected readonly pageIndex = signal(0);
  protected readonly pageSize = signal(20);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly filters = inject(FormBuilder).nonNullable.group({
    actor: [''],
    action: [''],
    outcome: ['' as 'success' | 'failure' | ''],
    from: new FormControl<Date | null>(null),
    to: new FormControl<Date | null>(null),
  });

  ngOnInit(): void {
    this.filters.valueChanges.pipe(debounceTime(300), takeUntilDestroyed(this.destroyRef)).subscribe(() => {
      this.pageIndex.set(0);
      this.load();
    });
    this.load();
  }

  load(): void {
    const f = this.filters.getRawValue();
    // "To" is inclusive: the whole chosen day.
    const to = f.to ? new Date(f.to.getFullYear(), f.to.getMonth(), f.to.getDate() + 1) : null;
    this.loading.set(true);
    this.api
      .list({
        actor: f.actor.trim(),
        action: f.action.trim(),
        outcome: f.outcome,
        from: f.from ? f.from.toISOString() : undefined,
        to: to ? to.toISOString() : undefined,
        page: this.pageIndex() + 1,
        pageSize: this.pageSize(),
      })
      .subscribe({
        next: (page) => {
          this.items.set(page.items);
          this.total.set(page.total);
          this.error.set(null);
          this.loading.set(false);
        },
        error: (e: unknown) => {
          this.items.set([]);
          this.error.set(`Could not load the audit log: ${readProblem(e).message}`);
          this.loading.set(false);
        },
      });
  }

  protected onPage(event: PageEvent): void {
    this.pageIndex.set(event.pageIndex);
    this.pageSize.set(event.pageSize);
    this.load();
  }

  protected summary(e: AuditEventDto): string {
    const entries = Object.entries(e.details ?? {});
    if (!entries.length) return e.userAgent ?? '';
    return entries.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
  }
}
