import { ComponentFixture, TestBed } from '@angular/core/testing';
import { CATALOG, aRole, aToken, testProviders } from '../testing';
import { TokenForm, TokenFormValue } from './token-form';

describe('TokenForm', () => {
  let fixture: ComponentFixture<TokenForm>;
  let form: TokenForm;

  async function create(mode: 'create' | 'edit', token = aToken()) {
    TestBed.configureTestingModule({ imports: [TokenForm], providers: testProviders() });
    fixture = TestBed.createComponent(TokenForm);
    fixture.componentRef.setInput('mode', mode);
    fixture.componentRef.setInput('token', mode === 'edit' ? token : null);
    fixture.componentRef.setInput('roles', [aRole()]);
    fixture.componentRef.setInput('catalog', CATALOG);
    form = fixture.componentInstance;
    await fixture.whenStable();
  }

  function saveButton(): HTMLButtonElement {
    const buttons = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('button[type=submit]'));
    return buttons.at(-1) as HTMLButtonElement;
  }

  it('keeps Save disabled until a name and a role or permission are given', async () => {
    await create('create');
    expect(form.canSave()).toBe(false);
    expect(saveButton().disabled).toBe(true);
    form.form.controls.name.setValue('BackendAutomation');
    expect(form.canSave()).toBe(false);
    form.form.controls.roleId.setValue(aRole().id);
    expect(form.canSave()).toBe(true);
    fixture.changeDetectorRef.markForCheck();
    await fixture.whenStable();
    expect(saveButton().disabled).toBe(false);
  });

  it('accepts custom permissions instead of a role', async () => {
    await create('create');
    form.form.controls.name.setValue('Scripted');
    form.setScopes(['tokens:read']);
    expect(form.canSave()).toBe(true);
  });

  it('refuses an IP entry the api would refuse, using the domain validator', async () => {
    await create('create');
    form.form.controls.name.setValue('WithIps');
    form.form.controls.roleId.setValue(aRole().id);
    form.addEntry('allowedIps', '10.1.2.3/8');
    expect(form.canSave()).toBe(false);
    form.list('allowedIps').at(0).setValue('10.0.0.0/8');
    expect(form.canSave()).toBe(true);
    form.addEntry('allowedOrigins', 'not an origin');
    expect(form.canSave()).toBe(false);
  });

  it('shows the role permissions and the scopes together as effective permissions', async () => {
    await create('create');
    form.form.controls.roleId.setValue(aRole().id);
    form.setScopes(['tokens:write']);
    expect(form.effective()).toEqual(['*:read', 'tokens:write']);
  });

  it('defaults to an expiry one year ahead and accepts "never expires"', async () => {
    await create('create');
    form.form.controls.name.setValue('Dated');
    form.form.controls.roleId.setValue(aRole().id);
    const v = form.value();
    expect(v.validTo).not.toBeNull();
    const years = (new Date(v.validTo as string).getTime() - Date.now()) / (365 * 24 * 3600 * 1000);
    expect(years).toBeGreaterThan(0.99);
    expect(years).toBeLessThan(1.01);
    form.form.controls.expiresDate.setValue(new Date(2000, 0, 1));
    expect(form.canSave()).toBe(false);
    form.form.controls.neverExpires.setValue(true);
    expect(form.canSave()).toBe(true);
    expect(form.value().validTo).toBeNull();
  });

  it('fills the form from the token in edit mode and emits an update', async () => {
    await create('edit', aToken({ validTo: '2099-01-01T00:00:00.000Z' }));
    expect(form.form.controls.name.value).toBe('BackendAutomation');
    expect(form.list('allowedIps').at(0).value).toBe('10.0.0.0/8');
    expect(form.scopes()).toEqual(['tokens:read']);
    expect(form.form.controls.neverExpires.value).toBe(false);
    let emitted: TokenFormValue | undefined;
    form.save.subscribe((v) => (emitted = v));
    form.submit();
    expect(emitted?.name).toBe('BackendAutomation');
    expect(emitted?.allowedIps).toEqual(['10.0.0.0/8']);
    expect(emitted?.validTo).toBe('2099-01-01T00:00:00.000Z');
  });

  it('shows api field errors next to the fields they name', async () => {
    await create('edit');
    fixture.componentRef.setInput('serverErrors', [
      { field: 'name', message: 'A token with this name already exists' },
      { field: 'allowedIps.0', message: 'wider than your own range' },
    ]);
    await fixture.whenStable();
    expect(form.form.controls.name.errors?.['server']).toBe('A token with this name already exists');
    expect(form.list('allowedIps').at(0).errors?.['server']).toBe('wider than your own range');
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('A token with this name already exists');
  });

  it('proposes a GUID (UUID v4) in create mode, regenerates it on request and sends it; edit sends none', async () => {
    await create('create');
    const first = form.proposedId();
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((fixture.nativeElement as HTMLElement).querySelector<HTMLInputElement>('input[readonly]')?.value).toBe(first);
    form.regenerateId();
    expect(form.proposedId()).not.toBe(first);
    expect(form.value().id).toBe(form.proposedId());
    TestBed.resetTestingModule();
    await create('edit');
    expect('id' in form.value()).toBe(false);
  });

  it('a taken GUID (409 naming id) gets a new proposal and a message', async () => {
    await create('create');
    const first = form.proposedId();
    fixture.componentRef.setInput('serverErrors', [{ field: 'id', message: 'is taken; propose another UUID v4' }]);
    await fixture.whenStable();
    expect(form.proposedId()).not.toBe(first);
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('a new one is proposed');
  });

  it('hands Test access the rules being typed before saving, leaving out entries that are not valid yet', async () => {
    await create('create');
    form.form.controls.roleId.setValue(aRole().id);
    form.setScopes(['tokens:write']);
    form.addEntry('allowedIps', '10.0.0.0/8');
    form.addEntry('allowedIps', '10.1.2.3/8');
    expect(form.draftRules()).toMatchObject({ roleId: aRole().id, scopes: ['tokens:write'], allowedIps: ['10.0.0.0/8'], blockedIps: [] });
  });

  it('offers roles beyond the caller disabled, with the permissions it lacks', async () => {
    await create('create');
    fixture.componentRef.setInput('roles', [aRole(), aRole({ id: '55555555-5555-4555-8555-555555555555', name: 'Token readers', permissions: ['tokens:read'], builtIn: false })]);
    fixture.componentRef.setInput('roleRefusal', (permissions: readonly string[]) => (permissions.includes('*:read') ? 'Requires *:read' : null));
    await fixture.whenStable();
    const select = (fixture.nativeElement as HTMLElement).querySelector('mat-select') as HTMLElement;
    select.click();
    await fixture.whenStable();
    const options = Array.from(document.querySelectorAll('mat-option')).map((o) => [o.textContent?.replace(/\s+/g, ' ').trim(), o.getAttribute('aria-disabled')]);
    expect(options).toEqual([
      ['No role (custom permissions only)', 'false'],
      ['Read only · Requires *:read', 'true'],
      ['Token readers', 'false'],
    ]);
  });

  it('shows a token the caller may not change read-only, Save saying why', async () => {
    TestBed.configureTestingModule({ imports: [TokenForm], providers: testProviders() });
    fixture = TestBed.createComponent(TokenForm);
    fixture.componentRef.setInput('mode', 'edit');
    fixture.componentRef.setInput('token', aToken());
    fixture.componentRef.setInput('catalog', CATALOG);
    fixture.componentRef.setInput('readOnlyReason', 'Requires tokens:write');
    form = fixture.componentInstance;
    await fixture.whenStable();
    expect(form.form.disabled).toBe(true);
    expect(form.canSave()).toBe(false);
    expect(saveButton().getAttribute('aria-disabled')).toBe('true');
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('button[aria-label="New allowed IP"]')).toBeNull();
    expect(el.querySelector('button[aria-label="Remove Allowed IP 1"]')).toBeNull();
    expect((el.querySelector('input[aria-label="Allowed IP 1"]') as HTMLInputElement).disabled).toBe(true);
  });
});
