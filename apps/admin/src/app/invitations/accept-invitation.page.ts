import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { BROKEN_INVITATION_MESSAGE, LIMITS, PASSWORD_RULE, isWellFormedInvitationSecret, secretFromFragment } from '@tessera/domain';
import { InvitationsApi } from '../api/invitations.api';
import { readProblem } from '../core/problem';
import { SessionStore } from '../core/session.store';

/**
 * The public page an invitation link opens (`/invitations/accept#secret=…`): the person chooses a
 * display name and a password and is signed in. The secret is read from the fragment (never sent
 * to the server with the page) and removed from the address bar. A used, expired, withdrawn or
 * unknown link says "This invitation link is broken".
 */
@Component({
  selector: 'app-accept-invitation-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, RouterLink],
  template: `
    <main class="accept">
      <mat-card appearance="outlined" class="card">
        <mat-card-header>
          <mat-card-title><h1>Tessera</h1></mat-card-title>
          <mat-card-subtitle>Accept your invitation</mat-card-subtitle>
        </mat-card-header>
        <mat-card-content>
          @if (broken()) {
            <div class="broken" role="alert">
              <h2>{{ brokenMessage }}</h2>
              <p>It was used already, has expired (links work for 72 hours) or was withdrawn. Ask your administrator to resend the invitation.</p>
            </div>
            <a mat-button routerLink="/login">Go to the login page</a>
          } @else {
            @if (error(); as e) {
              <p class="error" role="alert">{{ e }}</p>
            }
            <form [formGroup]="form" (ngSubmit)="submit()">
              <mat-form-field appearance="outline" class="full">
                <mat-label>Display name</mat-label>
                <input matInput formControlName="displayName" autocomplete="name" required [maxlength]="limits.nameMax" />
                <mat-error>A name is required</mat-error>
              </mat-form-field>
              <mat-form-field appearance="outline" class="full">
                <mat-label>Password</mat-label>
                <input matInput type="password" formControlName="password" autocomplete="new-password" required />
                <mat-hint>{{ passwordRule }}</mat-hint>
                <mat-error>{{ passwordRule }}</mat-error>
              </mat-form-field>
              <button mat-flat-button type="submit" class="full" [disabled]="form.invalid || busy()">
                {{ busy() ? 'Joining…' : 'Join and sign in' }}
              </button>
            </form>
          }
        </mat-card-content>
      </mat-card>
    </main>
  `,
  styles: `
    .accept { min-height: 100vh; display: grid; place-items: center; background: var(--mat-sys-surface-container-low); }
    .card { width: 420px; padding: 8px; }
    h1 { margin: 0; font: var(--mat-sys-headline-medium); color: var(--mat-sys-primary); }
    h2 { font: var(--mat-sys-title-large); margin: 0 0 8px; }
    .full { width: 100%; }
    form { margin-top: 16px; }
    .broken, .error { background: var(--mat-sys-error-container); color: var(--mat-sys-on-error-container); padding: 8px 12px; border-radius: 8px; }
  `,
})
export class AcceptInvitationPage {
  private readonly api = inject(InvitationsApi);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  protected readonly limits = LIMITS;
  protected readonly passwordRule = PASSWORD_RULE;
  protected readonly brokenMessage = BROKEN_INVITATION_MESSAGE;
  private readonly secret = secretFromFragment(typeof location === 'undefined' ? '' : location.hash);
  /** A link without a well-formed secret is broken before anything is asked. */
  protected readonly broken = signal(!isWellFormedInvitationSecret(this.secret));
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly form = inject(FormBuilder).nonNullable.group({
    displayName: ['', [Validators.required, Validators.maxLength(LIMITS.nameMax)]],
    password: ['', [Validators.required, Validators.minLength(LIMITS.passwordMin), Validators.maxLength(LIMITS.passwordMax)]],
  });

  constructor() {
    // The secret stays in memory only: not in the address bar, the history or a bookmark.
    if (typeof history !== 'undefined' && typeof location !== 'undefined' && location.hash) {
      history.replaceState(history.state, '', location.pathname);
    }
  }

  submit(): void {
    if (this.form.invalid || !this.secret) return;
    this.busy.set(true);
    this.error.set(null);
    const v = this.form.getRawValue();
    this.api.accept({ secret: this.secret, displayName: v.displayName.trim(), password: v.password }).subscribe({
      next: (res) => {
        this.session.clear();
        this.session.setToken(res.token);
        void this.router.navigateByUrl('/tokens');
      },
      error: (e: unknown) => {
        const p = readProblem(e);
        this.busy.set(false);
        if (p.status === 410) this.broken.set(true);
        else this.error.set(p.message);
      },
    });
  }
}
