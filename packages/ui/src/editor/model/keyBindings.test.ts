import { describe, expect, it } from 'vitest';
import { bindingFor, KEY_BINDINGS, type KeyPress } from './keyBindings';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('key bindings', () => {
  it('find the command of a keydown, Cmd standing in for Ctrl', () => {
    expect(bindingFor(press('b', { ctrlKey: true }))?.command).toBe('bypass');
    expect(bindingFor(press('m', { metaKey: true }))?.command).toBe('mute');
    expect(bindingFor(press('Z', { ctrlKey: true, shiftKey: true }))?.command).toBe('redo');
    expect(bindingFor(press('z', { ctrlKey: true }))?.command).toBe('undo');
    expect(bindingFor(press('Enter', { ctrlKey: true }))?.command).toBe('run');
    expect(bindingFor(press('Enter', { ctrlKey: true, shiftKey: true }))?.command).toBe('runFront');
    expect(bindingFor(press('?', { shiftKey: true }))?.command).toBe('help');
    expect(bindingFor(press('Delete'))?.command).toBe('delete');
  });

  it('want exactly their modifiers', () => {
    expect(bindingFor(press('b'))).toBeUndefined(); // typing a b on the canvas
    expect(bindingFor(press('b', { ctrlKey: true, shiftKey: true }))).toBeUndefined();
    expect(bindingFor(press('Delete', { ctrlKey: true }))).toBeUndefined();
    expect(bindingFor(press('Enter'))).toBeUndefined();
  });

  it('read Alt+letter by the physical key (a Mac types ç for Alt+C)', () => {
    expect(bindingFor(press('ç', { altKey: true, code: 'KeyC' }))?.command).toBe('collapse');
    expect(bindingFor(press('c', { altKey: true, code: 'KeyC' }))?.command).toBe('collapse');
  });

  it('bind each key once, and only save and run work from a field', () => {
    const keys = KEY_BINDINGS.map((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
    expect(KEY_BINDINGS.filter((b) => b.inFields).map((b) => b.command)).toEqual(['run', 'runFront', 'save', 'saveAs']);
  });
});
