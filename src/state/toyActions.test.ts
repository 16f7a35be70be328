import { describe, expect, it } from 'vitest';
import { shouldAutoCreateToy } from './toyActions.ts';

describe('Toy Actions on first start', () => {
  it('starts by itself in a normal browser and stays quiet under automation', () => {
    expect(shouldAutoCreateToy('', false)).toBe(true);
    expect(shouldAutoCreateToy('', true)).toBe(false);
  });

  it('lets ?toy= decide either way', () => {
    expect(shouldAutoCreateToy('?toy=1', true)).toBe(true);
    expect(shouldAutoCreateToy('?toy=0', false)).toBe(false);
    expect(shouldAutoCreateToy('?x=2&toy=false', false)).toBe(false);
  });
});
