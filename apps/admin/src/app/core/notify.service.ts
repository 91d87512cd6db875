import { Injectable, inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { readProblem } from './problem';

/** Success and failure messages in a snackbar. */
@Injectable({ providedIn: 'root' })
export class Notify {
  private readonly snackBar = inject(MatSnackBar);

  success(message: string): void {
    this.snackBar.open(message, 'Dismiss', { duration: 4000, panelClass: 'snack-success' });
  }

  failure(message: string, error?: unknown): void {
    const detail = error === undefined ? '' : `: ${readProblem(error).message}`;
    this.snackBar.open(`${message}${detail}`, 'Dismiss', { duration: 8000, panelClass: 'snack-failure' });
  }
}
