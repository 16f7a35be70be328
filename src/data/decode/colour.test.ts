import { describe, expect, it } from 'vitest';
import { colourSpaceFromCodePoints } from './colour.ts';

describe('colourSpaceFromCodePoints', () => {
  it('maps BT.601 and BT.709 code points', () => {
    expect(colourSpaceFromCodePoints({ primaries: 6, transfer: 6, matrix: 6, fullRange: false })).toEqual({
      primaries: 'smpte170m',
      transfer: 'smpte170m',
      matrix: 'smpte170m',
      fullRange: false,
    });
    expect(colourSpaceFromCodePoints({ primaries: 1, transfer: 13, matrix: 1, fullRange: true })).toEqual({
      primaries: 'bt709',
      transfer: 'iec61966-2-1',
      matrix: 'bt709',
      fullRange: true,
    });
  });

  it('gives nothing for an unspecified matrix and drops unknown primaries or transfer', () => {
    expect(
      colourSpaceFromCodePoints({ primaries: 2, transfer: 2, matrix: 2, fullRange: false }),
    ).toBeUndefined();
    expect(colourSpaceFromCodePoints({ primaries: 9, transfer: 16, matrix: 5, fullRange: false })).toEqual({
      matrix: 'bt470bg',
      fullRange: false,
    });
  });
});
