import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { ActivatedRoute, Router } from '@angular/router';
import { AuthApi } from '../api/auth.api';
import { readProblem } from '../core/problem';
import { SessionStore } from '../core/session.store';

@Component({
  selector: 'app-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule],
  template: `
    <main class="login">
      <mat-card appearance="outlined" class="card">
        <mat-card-header>
          <mat-card-title><h1>Tessera</h1></mat-card-title>
          <mat-card-subtitle>Sign in to manage API tokens</mat-card-subtitle>
        </mat-card-header>
        <mat-card-content>
          @if (expired() && !error()) {
            <p class="notice" role="status">Your session has expired. Please log in again.</p>
          }
          @if (error(); as e) {
            <p class="error" role="alert">{{ e }}</p>
          }
          <form [formGroup]="form" (ngSubmit)="submit()">
            <mat-form-field appearance="outline" class="full">
              <mat-label>Email</mat-label>
              <input matInput type="email" formControlName="email" autocomplete="username" required />
            </mat-form-field>
            <mat-form-field appearance="outline" class="full">
              <mat-label>Password</mat-label>
              <input matInput type="password" formControlName="password" autocomplete="current-password" required />
            </mat-form-field>
            <button mat-flat-button type="submit" class="full" [disabled]="form.invalid || busy()">{{ busy() ? 'Logging in…' : 'Log in' }}</button>
          </form>
        </mat-card-content>
      </mat-card>
    </main>
  `,
  styles: `
    .login { min-height: 100vh; display: grid; place-items: center; background: var(--mat-sys-surface-container-low); }
    .card { width: 380px; padding: 8px; }
    h1 { margin: 0; font: var(--mat-sys-headline-medium); color: var(--mat-sys-primary); }
    .full { width: 100%; }
    form { margin-top: 16px; }
    .notice { background: var(--mat-sys-secondary-container); color: var(--mat-sys-on-secondary-container); padding: 8px 12px; border-radius: 8px; }
    .error { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 8px 12px; border-radius: 8px; }
  `,
})
export class LoginPage {
  private readonly api = inject(AuthApi);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  protected readonly expired = signal(inject(ActivatedRoute).snapshot.queryParamMap.has('expired'));
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly form = inject(FormBuilder).nonNullable.group({
    email: ['', [Validators.required]],
    password: ['', [Validators.required]],
  });

  constructor() {
    // Already signed in (e.g. the login page was bookmarked): go straight to the console (its first readable page).
    if (this.session.signedIn() && !this.expired()) void this.router.navigateByUrl('/');
  }

  submit(): void {
    if (this.form.invalid) return;
    this.busy.set(true);
    this.error.set(null);
    const { email, password } = this.form.getRawValue();
    this.api.login({ email: email.trim(), password }).subscribe({
      next: (res) => {
        this.session.setToken(res.token);
        this.busy.set(false);
        void this.router.navigateByUrl('/');
      },
      error: (e: unknown) => {
        const p = readProblem(e);
        this.busy.set(false);
        this.error.set(p.status === 401 || p.status === 400 ? 'Wrong email or password.' : p.message);
      },
    });
  }
}
