import { ChangeDetectionStrategy, Component, computed, input, model } from '@angular/core';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatChipsModule } from '@angular/material/chips';
import { MatTooltipModule } from '@angular/material/tooltip';
import { requiresText } from '../core/caller';
import {
  CatalogResource,
  GRANT_ANYTHING,
  MayGrant,
  resourcePermissions,
  resourceState,
  toggleResource,
  togglePermission,
  visibleResources,
} from './permission-logic';

/**
 * Checkboxes grouped by resource; a box per resource selects all of its actions. `mayGrant` (the
 * caller's `mayGrantPermission`) leaves out the resources the caller holds nothing of and disables,
 * with the reason, the actions it does not hold.
 */
@Component({
  selector: 'app-permission-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCheckboxModule, MatChipsModule, MatTooltipModule],
  template: `
    <div class="groups" role="group" [attr.aria-label]="label()">
      @for (res of shown(); track res.resource) {
        <div class="group">
          <mat-checkbox
            class="resource"
            [checked]="state(res) === 'all'"
            [indeterminate]="state(res) === 'some'"
            [disabled]="disabled() || !grantsAny(res)"
            (change)="onResource(res)"
            [aria-label]="'All ' + res.resource + ' actions'"
            >{{ res.resource }}</mat-checkbox
          >
          @if (res.description) {
            <span class="desc">{{ res.description }}</span>
          }
          <div class="actions">
            @for (action of res.actions; track action) {
              @let refused = reason(res, action);
              <mat-checkbox
                [checked]="has(res, action)"
                [disabled]="disabled() || !!refused"
                [disabledInteractive]="!disabled() && !!refused"
                [matTooltip]="disabled() ? '' : (refused ?? '')"
                (change)="onAction(res, action, $event.checked)"
                [aria-label]="res.resource + ':' + action"
                >{{ action }}</mat-checkbox
              >
            }
          </div>
        </div>
      }
    </div>
    @if (others().length) {
      <div class="others">
        <span class="desc">Other permissions:</span>
        <mat-chip-set aria-label="Other permissions">
          @for (p of others(); track p) {
            <mat-chip [removable]="!disabled()" (removed)="removeOther(p)">
              {{ p }}
              @if (!disabled()) {
                <button matChipRemove [attr.aria-label]="'Remove ' + p">×</button>
              }
            </mat-chip>
          }
        </mat-chip-set>
      </div>
    }
  `,
  styles: `
    .groups { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 4px 16px; }
    .group { padding: 4px 0; border-bottom: 1px solid var(--mat-sys-outline-variant); }
    .resource { font-weight: 500; }
    .desc { display: block; margin-left: 40px; color: var(--mat-sys-on-surface-variant); font: var(--mat-sys-body-small); }
    .actions { display: flex; flex-wrap: wrap; margin-left: 24px; }
    .others { margin-top: 8px; }
  `,
})
export class PermissionPicker {
  readonly catalog = input.required<CatalogResource[]>();
  readonly selected = model<string[]>([]);
  readonly disabled = input(false);
  readonly label = input('Permissions');
  /** What the caller may tick; the default offers everything (e.g. a read-only view). */
  readonly mayGrant = input<MayGrant>(GRANT_ANYTHING);

  protected readonly shown = computed(() => visibleResources(this.catalog(), this.selected(), this.mayGrant()));

  /** Selected permissions that the catalog does not list as a checkbox (e.g. `*:read`). */
  protected readonly others = computed(() => {
    const known = new Set(this.catalog().flatMap((r) => [...resourcePermissions(r), `${r.resource}:*`]));
    return this.selected().filter((p) => !known.has(p));
  });

  /** The box shows the actions the caller may grant (all of them when it may grant none). */
  protected state(res: CatalogResource) {
    const may = this.mayGrant();
    const grantable = res.actions.filter((a) => may(`${res.resource}:${a}`));
    return resourceState(grantable.length ? { ...res, actions: grantable } : res, this.selected());
  }

  protected grantsAny(res: CatalogResource): boolean {
    const may = this.mayGrant();
    return res.actions.some((a) => may(`${res.resource}:${a}`));
  }

  /** Why the caller may not tick this action (it does not hold it), or null. */
  protected reason(res: CatalogResource, action: string): string | null {
    const p = `${res.resource}:${action}`;
    return this.mayGrant()(p) ? null : requiresText([p]);
  }

  protected has(res: CatalogResource, action: string): boolean {
    const list = this.selected();
    return list.includes(`${res.resource}:${action}`) || list.includes(`${res.resource}:*`);
  }

  protected onResource(res: CatalogResource): void {
    this.selected.set(toggleResource(res, this.selected(), this.mayGrant()));
  }

  protected onAction(res: CatalogResource, action: string, checked: boolean): void {
    if (checked && !this.mayGrant()(`${res.resource}:${action}`)) return;
    this.selected.set(togglePermission(res, action, this.selected(), checked));
  }

  protected removeOther(p: string): void {
    this.selected.set(this.selected().filter((x) => x !== p));
  }
}
