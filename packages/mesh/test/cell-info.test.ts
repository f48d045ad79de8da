import { describe, expect, it } from 'vitest';
import { CELL_INFO } from '@spinefea/mesh';

describe('CELL_INFO', () => {
  it('hex8 faces cover every node three times', () => {
    const count = new Array(8).fill(0);
    for (const f of CELL_INFO.hex8.faces) for (const n of f) count[n]++;
    expect(count).toEqual(new Array(8).fill(3));
  });
});
