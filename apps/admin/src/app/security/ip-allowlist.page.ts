import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { AbstractControl, FormArray, FormBuilder, FormGroup, FormControl, ReactiveFormsModule, ValidationErrors } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatTooltipModule } from '@angular/material/tooltip';
import { LIMITS } from '@tessera/domain';
import { SecurityApi } from '../api/security.api';
import { Caller } from '../core/caller';
import { Notify } from '../core/notify.service';
import { readProblem } from '../core/problem';
import { AllowlistRow, bitOptions, maxBits, parseCidr, rowProblem, toCidr } from './allowlist.logic';

type RowGroup = FormGroup<{ address: FormControl<string>; bits: FormControl<number>; note: FormControl<string> }>;

@Component({
  selector: 'app-ip-allowlist-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatIconModule, MatInputModule, MatProgressBarModule, MatSelectModule, MatTooltipModule],
  templateUrl: './ip-allowlist.page.html',
  styleUrl: './ip-allowlist.page.scss',
})
export class IpAllowlistPage implements OnInit {
  private readonly api = inject(SecurityApi);
  private readonly notify = inject(Notify);
  private readonly fb = inject(FormBuilder).nonNullable;
  protected readonly callerIp = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly saving = signal(false);
  protected readonly lockoutWarning = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly maxEntries = LIMITS.listMax;
  /** Why the caller may not edit the allowlist (it may still read it), or null. */
  private readonly caller = inject(Caller);
  protected readonly writeBlock = computed(() => this.caller.missing('security:write'));
  readonly rows = new FormArray<RowGroup>([]);

  ngOnInit(): void {
    this.load();
  }

  load(): void {
    this.loading.set(true);
    this.api.getAllowlist().subscribe({
      next: (dto) => {
        this.callerIp.set(dto.callerIp);
        this.rows.clear();
        for (const e of dto.entries) this.rows.push(this.row(parseCidr(e.cidr, e.note)));
        this.rows.markAsPristine();
        this.loading.set(false);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.error.set(readProblem(e).message);
      },
    });
  }

  protected bitOptions(group: RowGroup): number[] {
    return bitOptions(group.controls.address.value);
  }

  protected problem(group: RowGroup): string | null {
    return (group.errors?.['row'] as string | undefined) ?? null;
  }

  add(address = ''): void {
    this.rows.push(this.row({ address, bits: maxBits(address), note: '' }));
    this.rows.markAsDirty();
    this.lockoutWarning.set(null);
  }

  addMyIp(): void {
    const ip = this.callerIp();
    if (ip) this.add(ip);
  }

  remove(index: number): void {
    this.rows.removeAt(index);
    this.rows.markAsDirty();
    this.lockoutWarning.set(null);
  }

  save(force = false): void {
    if (this.rows.invalid) return;
    const entries = this.rows.getRawValue().map((r) => ({ cidr: toCidr(r), note: r.note.trim() }));
    this.saving.set(true);
    this.error.set(null);
    this.api.saveAllowlist(entries, force).subscribe({
      next: (dto) => {
        this.saving.set(false);
        this.lockoutWarning.set(null);
        this.callerIp.set(dto.callerIp ?? this.callerIp());
        this.rows.clear();
        for (const e of dto.entries) this.rows.push(this.row(parseCidr(e.cidr, e.note)));
        this.rows.markAsPristine();
        this.notify.success('IP allowlist saved');
      },
      error: (e: unknown) => {
        this.saving.set(false);
        const p = readProblem(e);
        if (p.status === 409 && !force) {
          this.lockoutWarning.set(p.message);
          return;
        }
        for (const fe of p.errors) {
          const m = /^entries\.(\d+)/.exec(fe.field);
          const group = m ? this.rows.at(Number(m[1])) : undefined;
          if (group) group.setErrors({ row: fe.message });
        }
        this.error.set(p.message);
        this.notify.failure('Could not save the IP allowlist', e);
      },
    });
  }

  private row(value: AllowlistRow): RowGroup {
    const group: RowGroup = this.fb.group(
      {
        address: [value.address],
        bits: [value.bits],
        note: [value.note],
      },
      { validators: (g: AbstractControl): ValidationErrors | null => {
        const problem = rowProblem(g.getRawValue() as AllowlistRow);
        return problem ? { row: problem } : null;
      } },
    );
    if (this.writeBlock()) group.disable({ emitEvent: false });
    // Keep "bits to check" within the family of the address typed.
    group.controls.address.valueChanges.subscribe((address) => {
      const max = maxBits(address);
      const bits = group.controls.bits.value;
      if (bits > max || (max === 128 && bits === 32 && !address.includes('.'))) group.controls.bits.setValue(max);
    });
    return group;
  }
}
