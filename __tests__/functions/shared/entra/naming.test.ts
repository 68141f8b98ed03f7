import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../../../functions/shared/runtime';
import { applicationDisplayName, applicationNamePrefix, applicationUniqueName } from '../../../../functions/shared/entra';

const ACCOUNT = '111122223333';

const ROLE_ID = 'AROAEXAMPLEEXAMPLE123';

describe('applicationUniqueName', () => {
  it('is the role name key and the role ID of the incarnation, lowercased', () => {
    // Prepare
    const key = createHash('sha256').update('ci-deployer').digest('hex').slice(0, 16);
    // Act
    const name = applicationUniqueName(ACCOUNT, 'CI-Deployer', ROLE_ID);
    // Assess
    expect(name).toBe(`aws-111122223333-${key}-aroaexampleexample123`);
  });

  it('gives a re-created role (a new role ID) a new name with the same prefix', () => {
    // Act
    const first = applicationUniqueName(ACCOUNT, 'deployer', 'AROAFIRSTFIRSTFIRST01');
    const second = applicationUniqueName(ACCOUNT, 'deployer', 'AROASECONDSECONDSEC02');
    // Assess
    expect(first).not.toBe(second);
    expect(first.startsWith(applicationNamePrefix(ACCOUNT, 'deployer'))).toBe(true);
    expect(second.startsWith(applicationNamePrefix(ACCOUNT, 'deployer'))).toBe(true);
  });

  it('maps role names that differ only in case to one prefix, as IAM treats them as one role', () => {
    expect(applicationNamePrefix(ACCOUNT, 'Deployer')).toBe(applicationNamePrefix(ACCOUNT, 'deployer'));
  });

  it('gives different accounts and different roles different prefixes, none a prefix of another', () => {
    // Prepare
    const prefixes = [
      applicationNamePrefix(ACCOUNT, 'deployer'),
      applicationNamePrefix('444455556666', 'deployer'),
      applicationNamePrefix(ACCOUNT, 'deployer2'),
      applicationNamePrefix(ACCOUNT, 'deploy_er'),
      applicationNamePrefix(ACCOUNT, 'deploy.er'),
    ];
    // Assess
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });

  it('uses only lowercase letters, digits and hyphens, 55 characters', () => {
    for (const role of ['x'.repeat(64), 'a+b=c,d.e@f_g-h', 'ROLE', '-']) {
      const name = applicationUniqueName(ACCOUNT, role, ROLE_ID);
      expect(name).toMatch(/^[a-z0-9-]+$/);
      expect(name).toHaveLength(55);
    }
  });

  it('rejects a malformed account ID, role name or role ID, naming the field', () => {
    expect(() => applicationUniqueName('12345', 'deployer', ROLE_ID)).toThrow(/accountId/);
    expect(() => applicationUniqueName(ACCOUNT, "it's", ROLE_ID)).toThrow(/roleName/);
    expect(() => applicationUniqueName(ACCOUNT, 'x'.repeat(65), ROLE_ID)).toThrow(InvalidInputError);
    expect(() => applicationUniqueName(ACCOUNT, 'deployer', 'aroa-lower')).toThrow(/roleId/);
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
