import { stateMachineName, stateMachineNames, titleCasePrefix } from '../../../../functions/shared/workflow';

describe('state machine names', () => {
  it('keeps the default names for the default prefix', () => {
    expect(stateMachineNames('web-identity')).toEqual({
      create: 'Web-Identity-Role-Create',
      delete: 'Web-Identity-Role-Delete',
      sweep: 'Web-Identity-Sweep',
      revoke: 'Web-Identity-Role-Revoke',
      restore: 'Web-Identity-Role-Restore',
    });
  });

  it('title-cases every "-" segment of another prefix and leaves the rest of each segment alone', () => {
    expect(titleCasePrefix('acme-fed2')).toBe('Acme-Fed2');
    expect(titleCasePrefix('a1-2b-x')).toBe('A1-2b-X');
    expect(titleCasePrefix('platform')).toBe('Platform');
  });

  it('names each workflow {Prefix}-Role-Create, {Prefix}-Role-Delete and {Prefix}-Sweep', () => {
    expect(stateMachineName('acme-fed', 'create')).toBe('Acme-Fed-Role-Create');
    expect(stateMachineName('acme-fed', 'delete')).toBe('Acme-Fed-Role-Delete');
    expect(stateMachineName('acme-fed', 'sweep')).toBe('Acme-Fed-Sweep');
  });

  it('stays within the Step Functions name limit (80 characters) for the longest allowed prefix', () => {
    // namePrefix is at most 24 characters (stacks/config.ts).
    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#StepFunctions-CreateStateMachine-request-name
    expect(stateMachineName('a'.repeat(24), 'create')).toMatch(/^[A-Za-z0-9-]{1,80}$/);
  });
});
