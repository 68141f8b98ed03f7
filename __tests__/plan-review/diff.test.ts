import { lineDiff } from '../../plan-review/diff';

/** The line diff the review shows policies and template properties with. */

describe('lineDiff', () => {
  it('marks removed lines before added ones, keeps two lines of context and folds the rest', () => {
    // Prepare
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
    const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h'].join('\n');
    // Act / Assess
    expect(lineDiff(before, after)).toEqual([' …', ' c', ' d', '-e', '+E', ' f', ' g', ' …']);
  });

  it('shows a whole document as added or removed when the other side is absent', () => {
    expect(lineDiff(null, 'x\ny')).toEqual(['+x', '+y']);
    expect(lineDiff('x', null)).toEqual(['-x']);
    expect(lineDiff('same', 'same')).toEqual([' …']);
  });
});
