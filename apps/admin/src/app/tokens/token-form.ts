import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, OnInit, computed, effect, inject, input, output, signal } from '@angular/core';
import { AbstractControl, FormArray, FormBuilder, FormControl, ReactiveFormsModule, ValidationErrors, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule } from '@angular/material/chips';
import { MatDatepickerModule } from '@angular/material/datepicker';
import { MatExpansionModule } from '@angular/material/expansion';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { CreateTokenInput, FieldError, RoleDto, TokenDto } from '@tessera/domain';
import type { ExplainDraftInput } from '@tessera/domain';
import { LIMITS, effectivePermissions, newTokenId } from '@tessera/domain';
import { CatalogResource, GRANT_ANYTHING, MayGrant, sortPermissions } from '../shared/permission-logic';
import { PermissionPicker } from '../shared/permission-picker';
import { RuleList } from '../shared/rule-list';
import { endpointRuleValidator, ipRuleValidator, originRuleValidator } from '../shared/validators';
import { TestAccess } from './test-access';
import { DATE_PROBLEM_TEXT, DateFields, combineDateTime, dateProblem, initialDates, parseFieldPath, startOfToday } from './token-form.logic';

export type TokenFormMode = 'create' | 'edit';

/** Why the caller may not give a role (with these permissions) to a token, or null when it may. */
export type RoleRefusal = (rolePermissions: readonly string[]) => string | null;
const ANY_ROLE: RoleRefusal = () => null;
export type TokenFormValue = CreateTokenInput;

const LISTS = ['allowedIps', 'blockedIps', 'allowedEndpoints', 'blockedEndpoints', 'allowedOrigins'] as const;
type ListName = (typeof LISTS)[number];

/** One form for creating and editing a token (`mode`). Emits the payload; the page talks to the api. */
@Component({
  selector: 'app-token-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatChipsModule,
    MatDatepickerModule,
    MatExpansionModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatTooltipModule,
    PermissionPicker,
    RuleList,
    TestAccess,
  ],
  templateUrl: './token-form.html',
  styleUrl: './token-form.scss',
})
export class TokenForm implements OnInit {
  readonly mode = input<TokenFormMode>('create');
  readonly token = input<TokenDto | null>(null);
  readonly roles = input<RoleDto[]>([]);
  readonly catalog = input<CatalogResource[]>([]);
  readonly serverErrors = input<FieldError[]>([]);
  readonly saving = input(false);
  /** The permissions the caller may tick (Caller.mayGrant); roles beyond it are offered disabled. */
  readonly mayGrant = input<MayGrant>(GRANT_ANYTHING);
  readonly roleRefusal = input<RoleRefusal>(ANY_ROLE);
  /** Set when the caller may not change this token: the form shows it and Save says why. */
  readonly readOnlyReason = input<string | null>(null);
  readonly save = output<TokenFormValue>();
  readonly cancelled = output<void>();

  protected readonly limits = LIMITS;
  private readonly fb = inject(FormBuilder).nonNullable;
  private readonly now = new Date();
  protected readonly minDate = startOfToday(this.now);

  readonly form = this.fb.group(
    {
      name: ['', [Validators.required, Validators.maxLength(LIMITS.nameMax), notBlank]],
      description: ['', Validators.maxLength(LIMITS.descriptionMax)],
      roleId: [''],
      neverExpires: [false],
      expiresDate: new FormControl<Date | null>(null),
      expiresTime: [''],
      validFromDate: new FormControl<Date | null>(null),
      validFromTime: [''],
      allowedIps: this.fb.array<FormControl<string>>([]),
      blockedIps: this.fb.array<FormControl<string>>([]),
      allowedEndpoints: this.fb.array<FormControl<string>>([]),
      blockedEndpoints: this.fb.array<FormControl<string>>([]),
      allowedOrigins: this.fb.array<FormControl<string>>([]),
    },
    { validators: (group) => this.datesValidator(group) },
  );

  /** The GUID a new token will get (seed 004): proposed here, shown before saving, kept on save. */
  readonly proposedId = signal(newTokenId());
  protected readonly idCopied = signal(false);
  private readonly clipboard = inject(Clipboard);

  /** Custom permissions (scopes), kept beside the form because the picker is not a form control. */
  readonly scopes = signal<string[]>([]);
  private readonly roleId = signal('');
  /** A message for api errors that do not belong to a single field. */
  protected readonly generalError = signal<string | null>(null);
  protected readonly permissionsError = signal<string | null>(null);

  readonly rolePermissions = computed(() => this.roles().find((r) => r.id === this.roleId())?.permissions ?? []);
  /** Role ∪ scopes, a tag grant (`@cli` of "CLI developer") expanded over the catalog as the api does. */
  readonly effective = computed(() => sortPermissions(effectivePermissions(this.rolePermissions(), this.scopes(), this.catalog())));

  protected readonly validators = { ip: ipRuleValidator, endpoint: endpointRuleValidator, origin: originRuleValidator };

  constructor() {
    this.form.controls.roleId.valueChanges.subscribe((v) => this.roleId.set(v));
    this.form.controls.neverExpires.valueChanges.subscribe((never) => this.syncExpiryControls(never));
    effect(() => this.applyServerErrors(this.serverErrors()));
  }

  ngOnInit(): void {
    const token = this.token();
    const dates = initialDates(this.mode() === 'edit' ? token : null, this.now);
    if (token && this.mode() === 'edit') {
      this.form.patchValue({ name: token.name, description: token.description ?? '', roleId: token.roleId ?? '' });
      for (const list of LISTS) for (const value of token[list] ?? []) this.addEntry(list, value);
      this.scopes.set([...(token.scopes ?? [])]);
    }
    this.form.patchValue(dates);
    this.syncExpiryControls(dates.neverExpires);
    this.roleId.set(this.form.controls.roleId.value);
    if (this.readOnlyReason()) this.form.disable({ emitEvent: false });
    this.form.markAsPristine();
  }

  copyId(): void {
    this.idCopied.set(this.clipboard.copy(this.proposedId()));
  }

  regenerateId(): void {
    this.proposedId.set(newTokenId());
    this.idCopied.set(false);
  }

  /** Test access reads the rules when it checks, not when the drawer opens. */
  protected readonly draftReader = (): ExplainDraftInput => this.draftRules();

  /** The rules as typed so far, for Test access before saving (entries that are not valid yet are left out). */
  draftRules(): ExplainDraftInput {
    const v = this.value();
    const valid = (name: ListName) => this.list(name).controls.filter((c) => c.valid && c.value.trim() !== '').map((c) => c.value.trim());
    return {
      ...(v.roleId ? { roleId: v.roleId } : {}),
      scopes: v.scopes ?? [],
      allowedIps: valid('allowedIps'),
      blockedIps: valid('blockedIps'),
      allowedEndpoints: valid('allowedEndpoints'),
      blockedEndpoints: valid('blockedEndpoints'),
      allowedOrigins: valid('allowedOrigins'),
      ...(this.form.errors?.['dates'] ? {} : { validFrom: v.validFrom ?? null, validTo: v.validTo ?? null }),
    };
  }

  /** Role options: the reason when the caller may not give it (its permissions beyond the caller's). */
  protected readonly roleOptions = computed(() => {
    const refusal = this.roleRefusal();
    return this.roles().map((role) => ({ role, refused: refusal(role.permissions) }));
  });

  /** Role chosen or at least one custom permission ticked. */
  hasPermissions(): boolean {
    return this.roleId() !== '' || this.scopes().length > 0;
  }

  canSave(): boolean {
    return !this.readOnlyReason() && this.form.valid && this.hasPermissions() && !this.saving();
  }

  list(name: ListName): FormArray<FormControl<string>> {
    return this.form.controls[name];
  }

  addEntry(name: ListName, value = ''): void {
    const validator = name.endsWith('Ips') ? ipRuleValidator : name.endsWith('Endpoints') ? endpointRuleValidator : originRuleValidator;
    this.list(name).push(new FormControl(value, { nonNullable: true, validators: validator }));
  }

  setScopes(scopes: string[]): void {
    this.scopes.set(scopes);
    this.permissionsError.set(null);
    this.form.markAsDirty();
  }

  protected dateError(): string | null {
    const problem = this.form.errors?.['dates'] as keyof typeof DATE_PROBLEM_TEXT | undefined;
    return problem ? DATE_PROBLEM_TEXT[problem] : null;
  }

  /** The payload for POST /tokens or PATCH /tokens/:id. */
  value(): TokenFormValue {
    const v = this.form.getRawValue();
    const validTo = v.neverExpires ? null : combineDateTime(v.expiresDate, v.expiresTime);
    const validFrom = combineDateTime(v.validFromDate, v.validFromTime);
    const clean = (list: string[]) => list.map((s) => s.trim()).filter((s) => s !== '');
    return {
      ...(this.mode() === 'create' ? { id: this.proposedId() } : {}),
      name: v.name.trim(),
      description: v.description.trim(),
      roleId: v.roleId || null,
      scopes: this.scopes(),
      allowedIps: clean(v.allowedIps),
      blockedIps: clean(v.blockedIps),
      allowedEndpoints: clean(v.allowedEndpoints),
      blockedEndpoints: clean(v.blockedEndpoints),
      allowedOrigins: clean(v.allowedOrigins),
      validFrom: validFrom ? validFrom.toISOString() : null,
      validTo: validTo ? validTo.toISOString() : null,
    };
  }

  submit(): void {
    this.form.markAllAsTouched();
    if (!this.canSave()) return;
    this.generalError.set(null);
    this.save.emit(this.value());
  }

  /** "Never expires" disables the expiry date and time, so their own validators do not count. */
  private syncExpiryControls(never: boolean): void {
    if (this.readOnlyReason()) return;
    for (const c of [this.form.controls.expiresDate, this.form.controls.expiresTime]) {
      if (never) c.disable({ emitEvent: false });
      else c.enable({ emitEvent: false });
    }
    this.form.updateValueAndValidity();
  }

  private datesValidator(group: AbstractControl): ValidationErrors | null {
    const v = group.getRawValue() as DateFields;
    const c = (group as typeof this.form).controls;
    // Edit mode: an expiry that was not touched is kept as it is, even when already past.
    const checkPast = this.mode() === 'create' || !!(c && (c.expiresDate.dirty || c.expiresTime.dirty || c.neverExpires.dirty));
    // Valid from: checked in create mode, and in edit mode once touched (a saved start may be past).
    const checkStart = this.mode() === 'create' || !!(c && (c.validFromDate.dirty || c.validFromTime.dirty));
    const problem = dateProblem(v, new Date(), checkPast, checkStart);
    return problem ? { dates: problem } : null;
  }

  private applyServerErrors(errors: FieldError[]): void {
    this.generalError.set(null);
    this.permissionsError.set(null);
    const general: string[] = [];
    for (const e of errors) {
      const { name, index } = parseFieldPath(e.field);
      let control: AbstractControl | null = null;
      if ((LISTS as readonly string[]).includes(name)) {
        control = index === null ? null : (this.list(name as ListName).at(index) ?? null);
      } else if (name === 'id') {
        // A taken GUID (409): propose another one and say so.
        this.regenerateId();
        general.push(`GUID: ${e.message}; a new one is proposed`);
        continue;
      } else if (name === 'name' || name === 'description') {
        control = this.form.controls[name];
      } else if (name === 'validTo') {
        control = this.form.controls.expiresDate;
      } else if (name === 'validFrom') {
        control = this.form.controls.validFromDate;
      } else if (name === 'roleId' || name === 'scopes') {
        this.permissionsError.set(e.message);
        continue;
      }
      if (control) {
        control.setErrors({ ...(control.errors ?? {}), server: e.message });
        control.markAsTouched();
      } else {
        general.push(e.field ? `${e.field}: ${e.message}` : e.message);
      }
    }
    if (general.length) this.generalError.set(general.join('; '));
  }
}

function notBlank(control: AbstractControl): ValidationErrors | null {
  return typeof control.value === 'string' && control.value.length > 0 && control.value.trim() === '' ? { required: true } : null;
}
