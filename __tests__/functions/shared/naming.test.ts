import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../../functions/shared/errors';
import { applicationDisplayName, applicationUniqueName } from '../../../functions/shared/naming';

const ACCOUNT = '111122223333';

describe('applicationUniqueName', () => {
  it('keeps a plain role name readable, lowercased', () => {
    // Act
    const name = applicationUniqueName(ACCOUNT, 'CI-Deployer');
    // Assess
    expect(name).toBe('aws-111122223333-r-ci-deployer');
  });

  it('is deterministic', () => {
    // Act
    const first = applicationUniqueName(ACCOUNT, 'svc.payments@prod');
    const second = applicationUniqueName(ACCOUNT, 'svc.payments@prod');
    // Assess
    expect(first).toBe(second);
  });

  it('hashes a role name with characters outside [a-z0-9-]', () => {
    // Prepare
    const expected = createHash('sha256').update('svc.payments@prod').digest('hex').slice(0, 32);
    // Act
    const name = applicationUniqueName(ACCOUNT, 'Svc.Payments@Prod');
    // Assess
    expect(name).toBe(`aws-111122223333-h-${expected}`);
  });

  it('maps role names that differ only in case to one name, as IAM treats them as one role', () => {
    // Act & Assess
    expect(applicationUniqueName(ACCOUNT, 'Deployer')).toBe(applicationUniqueName(ACCOUNT, 'deployer'));
    expect(applicationUniqueName(ACCOUNT, 'a_B')).toBe(applicationUniqueName(ACCOUNT, 'A_b'));
  });

  it('gives different accounts and different roles different names', () => {
    // Prepare
    const names = [
      applicationUniqueName(ACCOUNT, 'deployer'),
      applicationUniqueName('444455556666', 'deployer'),
      applicationUniqueName(ACCOUNT, 'deployer2'),
      applicationUniqueName(ACCOUNT, 'deploy_er'),
      applicationUniqueName(ACCOUNT, 'deploy.er'),
    ];
    // Assess
    expect(new Set(names).size).toBe(names.length);
  });

  it('cannot be forged: a role named like a hashed name stays in the readable form', () => {
    // Prepare
    const hashed = applicationUniqueName(ACCOUNT, 'a.b');
    const suffix = hashed.slice(`aws-${ACCOUNT}-`.length);
    // Act
    const forged = applicationUniqueName(ACCOUNT, suffix);
    // Assess
    expect(forged).toBe(`aws-${ACCOUNT}-r-${suffix}`);
    expect(forged).not.toBe(hashed);
  });

  it('uses only lowercase letters, digits and hyphens, at most 83 characters', () => {
    // Prepare
    const roles = ['x'.repeat(64), 'a+b=c,d.e@f_g-h', 'ROLE', '-'];
    // Act
    const names = roles.map((role) => applicationUniqueName(ACCOUNT, role));
    // Assess
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9-]+$/);
      expect(name.length).toBeLessThanOrEqual(83);
    }
  });

  it('rejects a malformed account ID, naming the field', () => {
    // Act & Assess
    expect(() => applicationUniqueName('12345', 'deployer')).toThrow(InvalidInputError);
    expect(() => applicationUniqueName('12345', 'deployer')).toThrow(/accountId/);
  });

  it('rejects a name IAM would not accept, naming the field', () => {
    // Act & Assess
    expect(() => applicationUniqueName(ACCOUNT, "it's")).toThrow(/roleName/);
    expect(() => applicationUniqueName(ACCOUNT, 'x'.repeat(65))).toThrow(InvalidInputError);
  });
});

describe('applicationDisplayName', () => {
  it('joins prefix, account and the role name as written', () => {
    // Act
    const name = applicationDisplayName('aws-web-identity', ACCOUNT, 'CI.Deployer');
    // Assess
    expect(name).toBe('aws-web-identity-111122223333-CI.Deployer');
  });

  it('rejects an empty or odd prefix, naming the field', () => {
    // Act & Assess
    expect(() => applicationDisplayName('', ACCOUNT, 'r')).toThrow(/displayNamePrefix/);
    expect(() => applicationDisplayName('<script>', ACCOUNT, 'r')).toThrow(InvalidInputError);
  });
});
