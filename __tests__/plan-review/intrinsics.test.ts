import { MAX_VARIANTS, resolveIntrinsics } from '../../plan-review/intrinsics';

/** CloudFormation intrinsic functions resolved to the plain values they can produce. */

describe('resolveIntrinsics', () => {
  it('yields both branches of Fn::If, and drops what AWS::NoValue removes', () => {
    // Act
    const result = resolveIntrinsics({
      A: { 'Fn::If': ['C', 'x', { Ref: 'AWS::NoValue' }] },
      B: [1, { 'Fn::If': ['C', 2, { Ref: 'AWS::NoValue' }] }],
    });
    // Assess
    expect(result).toEqual({ kind: 'values', values: [{ A: 'x', B: [1, 2] }, { A: 'x', B: [1] }, { B: [1, 2] }, { B: [1] }] });
  });

  it('reads Ref, Fn::Sub (with its variables), Fn::GetAtt and Fn::Join as the placeholders they are built from', () => {
    expect(
      resolveIntrinsics([
        { Ref: 'AWS::AccountId' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${!Literal}' },
        { 'Fn::Sub': ['role/${Name}', { Name: { Ref: 'RoleName' } }] },
        { 'Fn::GetAtt': ['Role', 'Arn'] },
        { 'Fn::Join': [':', ['a', { Ref: 'B' }]] },
      ]),
    ).toEqual({
      kind: 'values',
      values: [
        ['${AWS::AccountId}', 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Literal}', 'role/${RoleName}', '${Role.Arn}', 'a:${B}'],
      ],
    });
  });

  it('is opaque for functions it cannot read, and past MAX_VARIANTS combinations', () => {
    expect(resolveIntrinsics({ 'Fn::ImportValue': 'x' })).toEqual({
      kind: 'opaque',
      why: 'Fn::ImportValue cannot be read before deployment',
    });
    const many = Array.from({ length: Math.log2(MAX_VARIANTS) + 1 }, (_, i) => ({ 'Fn::If': ['C', `a${i}`, `b${i}`] }));
    expect(resolveIntrinsics(many)).toEqual({ kind: 'opaque', why: `more than ${MAX_VARIANTS} combinations of Fn::If` });
    expect(resolveIntrinsics(many.slice(1)).kind).toBe('values');
  });
});
