import { TestBed } from '@angular/core/testing';
import { mayGrantPermission } from '@tessera/domain';
import { CATALOG, testProviders } from '../testing';
import { PermissionPicker } from './permission-picker';

describe('PermissionPicker', () => {
  async function render(selected: string[], holds?: string[]) {
    TestBed.configureTestingModule({ imports: [PermissionPicker], providers: testProviders() });
    const fixture = TestBed.createComponent(PermissionPicker);
    fixture.componentRef.setInput('catalog', CATALOG);
    fixture.componentRef.setInput('selected', selected);
    if (holds) fixture.componentRef.setInput('mayGrant', (p: string) => mayGrantPermission(holds, p));
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const box = (label: string) => el.querySelector(`input[aria-label="${label}"]`) as HTMLInputElement;
    return { fixture, el, box };
  }

  it('shows a resource box indeterminate when only some of its actions are ticked', async () => {
    const { box } = await render(['tokens:read']);
    expect(box('All tokens actions').indeterminate).toBe(true);
    expect(box('All roles actions').checked).toBe(false);
    expect(box('tokens:read').checked).toBe(true);
  });

  it('ticks every action of a resource from its box, and clears them again', async () => {
    const { fixture, box } = await render([]);
    box('All tokens actions').click();
    await fixture.whenStable();
    expect(fixture.componentInstance.selected()).toEqual(['tokens:introspect', 'tokens:read', 'tokens:write']);
    expect(box('tokens:write').checked).toBe(true);
    box('All tokens actions').click();
    await fixture.whenStable();
    expect(fixture.componentInstance.selected()).toEqual([]);
  });

  it('keeps permissions the catalog does not list as removable chips', async () => {
    const { el } = await render(['*:read', 'tokens:read']);
    expect(el.textContent).toContain('*:read');
  });

  it('offers a tokens:read+write caller only what it holds: other resources hidden, other actions disabled', async () => {
    const { fixture, box } = await render([], ['tokens:read', 'tokens:write']);
    expect(box('roles:write')).toBeNull();
    expect(box('tokens:introspect').getAttribute('aria-disabled')).toBe('true'); // disabled, still hoverable for its tooltip
    box('All tokens actions').click();
    await fixture.whenStable();
    expect(fixture.componentInstance.selected()).toEqual(['tokens:read', 'tokens:write']);
    expect(box('All tokens actions').checked).toBe(true);
  });

  it('shows a permission already selected that the caller does not hold, without letting it be ticked again', async () => {
    const { box } = await render(['roles:read'], ['tokens:read']);
    expect(box('roles:read').checked).toBe(true);
    expect(box('roles:read').getAttribute('aria-disabled')).toBe('true');
    expect(box('All roles actions').disabled).toBe(true);
  });
});
