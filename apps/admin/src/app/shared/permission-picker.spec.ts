import { TestBed } from '@angular/core/testing';
import { CATALOG, testProviders } from '../testing';
import { PermissionPicker } from './permission-picker';

describe('PermissionPicker', () => {
  async function render(selected: string[]) {
    TestBed.configureTestingModule({ imports: [PermissionPicker], providers: testProviders() });
    const fixture = TestBed.createComponent(PermissionPicker);
    fixture.componentRef.setInput('catalog', CATALOG);
    fixture.componentRef.setInput('selected', selected);
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
});
