import { Clipboard } from '@angular/cdk/clipboard';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatRadioModule } from '@angular/material/radio';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatSlideToggleChange, MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatSortModule, Sort } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { FieldError, RoleDto, TokenDto, TokenStatus } from '@tessera/domain';
import { TOKEN_STATUSES } from '@tessera/domain';
import { debounceTime } from 'rxjs';
import { PermissionsApi } from '../api/permissions.api';
import { RolesApi } from '../api/roles.api';
import { TokenListQuery, TokensApi } from '../api/tokens.api';
import { Caller } from '../core/caller';
import { Notify } from '../core/notify.service';
import { readProblem } from '../core/problem';
import { ConfirmDialog, ConfirmDialogData, ConfirmDialogResult } from '../shared/confirm-dialog';
import { CatalogResource, resourcePermissions } from '../shared/permission-logic';
import { StatusChip } from '../shared/status-chip';
import { PermissionChips } from './permission-chips';
import { SecretDialog, SecretDialogData } from './secret-dialog';
import { TokenForm, TokenFormValue } from './token-form';

/** Maps a table column to the api's `sort` key. */
export const SORT_KEYS: Record<string, string> = { name: 'name', status: 'active', validTo: 'validTo', lastUsedAt: 'lastUsedAt' };

export function sortParam(sort: Sort): string | undefined {
  const key = SORT_KEYS[sort.active];
  if (!key || !sort.direction) return undefined;
  return sort.direction === 'desc' ? `-${key}` : key;
}

@Component({
  selector: 'app-tokens-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatMenuModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatRadioModule,
    MatSelectModule,
    MatSidenavModule,
    MatSlideToggleModule,
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    PermissionChips,
    StatusChip,
    TokenForm,
  ],
  templateUrl: './tokens.page.html',
  styleUrl: './tokens.page.scss',
})
export class TokensPage implements OnInit {
  private readonly api = inject(TokensApi);
  private readonly rolesApi = inject(RolesApi);
  private readonly permissionsApi = inject(PermissionsApi);
  private readonly dialog = inject(MatDialog);
  private readonly notify = inject(Notify);
  private readonly clipboard = inject(Clipboard);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly caller = inject(Caller);

  protected readonly columns = ['name', 'guid', 'permissions', 'allowedIps', 'blockedIps', 'createdBy', 'validFrom', 'validTo', 'status', 'lastUsedAt', 'actions'];
  protected readonly statuses = TOKEN_STATUSES;

  protected readonly items = signal<TokenDto[]>([]);
  protected readonly total = signal(0);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly pageIndex = signal(0);
  protected readonly pageSize = signal(20);
  private readonly sort = signal<Sort>({ active: 'name', direction: 'asc' });

  protected readonly roles = signal<RoleDto[]>([]);
  protected readonly catalog = signal<CatalogResource[]>([]);
  /** The scope filter offers the permissions the caller holds (seed 004), decided as the picker decides. */
  protected readonly scopeOptions = computed(() => this.catalog().flatMap((r) => resourcePermissions(r)).filter((p) => this.caller.mayGrant(p)));

  /** Why "Add token" is disabled, or null. */
  protected readonly addBlock = computed(() => this.caller.missing('tokens:write'));
  /** Per token on the page: why the caller may not change it (no tokens:write, or the token is wider), or null. */
  protected readonly changeBlocks = computed(() => new Map(this.items().map((t) => [t.id, this.caller.changeRefusal('tokens:write', t)])));
  protected readonly mayGrant = (p: string) => this.caller.mayGrant(p);
  protected readonly roleRefusal = (permissions: readonly string[]) => this.caller.roleRefusal(permissions);
  protected readonly drawerTitle = computed(() =>
    this.drawerMode() === 'create' ? 'New API token' : this.drawerBlock() ? 'View API token' : 'Edit API token',
  );
  /** The token open in the drawer, when the caller may only look at it. */
  protected readonly drawerBlock = computed(() => {
    const t = this.editing();
    return t ? (this.changeBlocks().get(t.id) ?? this.caller.changeRefusal('tokens:write', t)) : null;
  });

  protected readonly drawerMode = signal<'create' | 'edit' | null>(null);
  protected readonly editing = signal<TokenDto | null>(null);
  protected readonly saving = signal(false);
  protected readonly serverErrors = signal<FieldError[]>([]);

  protected readonly filters = inject(FormBuilder).nonNullable.group({
    q: [''],
    guid: [''],
    scope: [''],
    status: ['' as TokenStatus | ''],
  });
  protected readonly hasFilters = signal(false);

  ngOnInit(): void {
    this.filters.valueChanges.pipe(debounceTime(300), takeUntilDestroyed(this.destroyRef)).subscribe(() => {
      this.pageIndex.set(0);
      this.load();
    });
    // Without roles:read the api would refuse the list (and audit the refusal): offer no role.
    if (this.caller.holds('roles:read')) this.rolesApi.list().subscribe({ next: (r) => this.roles.set(r), error: () => this.roles.set([]) });
    this.permissionsApi.catalog().subscribe({
      next: (c) => {
        this.caller.useCatalog(c.resources);
        this.catalog.set(c.resources);
      },
      error: () => this.catalog.set([]),
    });
    this.load();
  }

  load(): void {
    const f = this.filters.getRawValue();
    this.hasFilters.set(!!(f.q || f.guid || f.scope || f.status));
    const query: TokenListQuery = {
      q: f.q.trim(),
      guid: f.guid.trim(),
      scope: f.scope,
      status: f.status,
      sort: sortParam(this.sort()),
      page: this.pageIndex() + 1,
      pageSize: this.pageSize(),
    };
    this.loading.set(true);
    this.api.list(query).subscribe({
      next: (page) => {
        this.items.set(page.items);
        this.total.set(page.total);
        this.loadError.set(null);
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loadError.set(readProblem(e).message);
        this.loading.set(false);
      },
    });
  }

  protected onSort(sort: Sort): void {
    this.sort.set(sort);
    this.pageIndex.set(0);
    this.load();
  }

  protected onPage(event: PageEvent): void {
    this.pageIndex.set(event.pageIndex);
    this.pageSize.set(event.pageSize);
    this.load();
  }

  protected clearFilters(): void {
    this.filters.reset();
  }

  protected block(token: TokenDto): string | null {
    return this.changeBlocks().get(token.id) ?? null;
  }

  protected copyGuid(token: TokenDto): void {
    if (this.clipboard.copy(token.id)) this.notify.success('GUID copied');
  }

  protected openCreate(): void {
    if (this.addBlock()) return;
    this.serverErrors.set([]);
    this.editing.set(null);
    this.drawerMode.set('create');
  }

  protected openEdit(token: TokenDto): void {
    this.serverErrors.set([]);
    this.editing.set(token);
    this.drawerMode.set('edit');
  }

  protected closeDrawer(): void {
    this.drawerMode.set(null);
    this.editing.set(null);
  }

  protected onSave(value: TokenFormValue): void {
    const mode = this.drawerMode();
    const editing = this.editing();
    this.saving.set(true);
    this.serverErrors.set([]);
    const fail = (e: unknown) => {
      const problem = readProblem(e);
      this.saving.set(false);
      this.serverErrors.set(problem.errors);
      this.notify.failure(mode === 'create' ? 'Could not create the token' : 'Could not save the token', e);
    };
    if (mode === 'edit' && editing) {
      this.api.update(editing.id, value, editing.version).subscribe({
        next: (t) => {
          this.saving.set(false);
          this.closeDrawer();
          this.notify.success(`Token "${t.name}" saved`);
          this.load();
        },
        error: fail,
      });
      return;
    }
    this.api.create(value).subscribe({
      next: (created) => {
        this.saving.set(false);
        this.closeDrawer();
        this.notify.success(`Token "${created.token.name}" created`);
        this.showSecret({ name: created.token.name, secret: created.secret, reason: 'created' });
        this.load();
      },
      error: fail,
    });
  }

  protected toggleActive(token: TokenDto, event: MatSlideToggleChange): void {
    const call = event.checked ? this.api.activate(token.id) : this.api.deactivate(token.id);
    call.subscribe({
      next: () => {
        this.notify.success(`Token "${token.name}" ${event.checked ? 'activated' : 'deactivated'}`);
        this.load();
      },
      error: (e: unknown) => {
        event.source.checked = !event.checked;
        this.notify.failure(`Could not ${event.checked ? 'activate' : 'deactivate'} "${token.name}"`, e);
      },
    });
  }

  /** The edit drawer's Status (seed 002: Active / Inactive inside the token's page); applies at once. */
  protected setActive(token: TokenDto, active: boolean): void {
    if (token.active === active) return;
    (active ? this.api.activate(token.id) : this.api.deactivate(token.id)).subscribe({
      next: (t) => {
        this.notify.success(`Token "${token.name}" ${active ? 'activated' : 'deactivated'}`);
        if (this.editing()?.id === token.id) this.editing.set(t);
        this.load();
      },
      error: (e: unknown) => {
        this.notify.failure(`Could not ${active ? 'activate' : 'deactivate'} "${token.name}"`, e);
        this.editing.set(this.editing() ? { ...token } : null);
      },
    });
  }

  protected revoke(token: TokenDto): void {
    this.confirm({
      title: `Revoke "${token.name}"?`,
      message: 'The token stops working at once and its expiry is set to now. Revoked tokens cannot be reactivated.',
      confirmLabel: 'Revoke',
    }, () =>
      this.api.revoke(token.id).subscribe({
        next: () => {
          this.notify.success(`Token "${token.name}" revoked`);
          this.load();
        },
        error: (e: unknown) => this.notify.failure(`Could not revoke "${token.name}"`, e),
      }),
    );
  }

  protected regenerate(token: TokenDto): void {
    this.confirm({
      title: `Regenerate "${token.name}"?`,
      message: 'A new secret is issued. The current secret stops working, after the grace period if you choose one.',
      confirmLabel: 'Regenerate',
      askGrace: true,
    }, (result) =>
      this.api.regenerate(token.id, result.graceSeconds).subscribe({
        next: (created) => {
          this.notify.success(`Token "${token.name}" regenerated`);
          this.showSecret({ name: created.token.name, secret: created.secret, reason: 'regenerated' });
          this.load();
        },
        error: (e: unknown) => this.notify.failure(`Could not regenerate "${token.name}"`, e),
      }),
    );
  }

  protected remove(token: TokenDto): void {
    this.confirm({
      title: `Delete "${token.name}"?`,
      message: 'Any application using this token will get authentication errors from now on.',
      confirmLabel: 'Delete',
    }, () =>
      this.api.delete(token.id).subscribe({
        next: () => {
          this.notify.success(`Token "${token.name}" deleted`);
          if (this.editing()?.id === token.id) this.closeDrawer();
          if (this.items().length === 1 && this.pageIndex() > 0) this.pageIndex.update((i) => i - 1);
          this.load();
        },
        error: (e: unknown) => this.notify.failure(`Could not delete "${token.name}"`, e),
      }),
    );
  }

  private confirm(data: ConfirmDialogData, then: (result: ConfirmDialogResult) => void): void {
    this.dialog
      .open<ConfirmDialog, ConfirmDialogData, ConfirmDialogResult>(ConfirmDialog, { data, width: '440px' })
      .afterClosed()
      .subscribe((result) => {
        if (result) then(result);
      });
  }

  private showSecret(data: SecretDialogData): void {
    this.dialog.open<SecretDialog, SecretDialogData, void>(SecretDialog, { data, width: '560px', disableClose: true });
  }
}
