import { Clipboard } from '@angular/cdk/clipboard';
import { TestBed } from '@angular/core/testing';
import { MAT_DIALOG_DATA, MatDialogRef } from '@angular/material/dialog';
import { testProviders } from '../testing';
import { SecretDialog } from './secret-dialog';

describe('SecretDialog', () => {
  const close = jest.fn();
  const copy = jest.fn().mockReturnValue(true);

  beforeEach(() => {
    close.mockReset();
    TestBed.configureTestingModule({
      imports: [SecretDialog],
      providers: [
        ...testProviders(),
        { provide: MAT_DIALOG_DATA, useValue: { name: 'Backend', secret: 'tsr_secret', reason: 'created' } },
        { provide: MatDialogRef, useValue: { close, disableClose: false } },
        { provide: Clipboard, useValue: { copy } },
      ],
    });
  });

  function button(el: HTMLElement, text: string): HTMLButtonElement {
    const b = Array.from(el.querySelectorAll('button')).find((x) => x.textContent?.trim().includes(text));
    if (!b) throw new Error(`no button ${text}`);
    return b;
  }

  it('closes only after "I have copied this token" is ticked', async () => {
    const fixture = TestBed.createComponent(SecretDialog);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect(button(el, 'Close').disabled).toBe(true);
    fixture.componentInstance.close();
    expect(close).not.toHaveBeenCalled();

    (el.querySelector('input[type=checkbox]') as HTMLInputElement).click();
    await fixture.whenStable();
    expect(button(el, 'Close').disabled).toBe(false);
    button(el, 'Close').click();
    expect(close).toHaveBeenCalled();
  });

  it('shows the secret and copies it', async () => {
    const fixture = TestBed.createComponent(SecretDialog);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    expect((el.querySelector('input[readonly]') as HTMLInputElement).value).toBe('tsr_secret');
    button(el, 'Copy').click();
    expect(copy).toHaveBeenCalledWith('tsr_secret');
  });
});
