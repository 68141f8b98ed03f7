import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { centralArn, deploymentContext, provideDeploymentContext } from '../../stacks/context';
import { TaskFunction } from '../../stacks/task-function';

const CONTEXT = { namePrefix: 'web-identity', accountId: '111111111111', region: 'eu-central-1' };

describe('the deployment context', () => {
  it('is read by any construct below the scope that provides it', () => {
    const scope = new Construct(Testing.app(), 'stack');
    provideDeploymentContext(scope, CONTEXT);
    const deep = new Construct(new Construct(scope, 'a'), 'b');

    expect(deploymentContext(deep)).toEqual(CONTEXT);
    expect(centralArn(deploymentContext(deep), 'states', 'stateMachine:X')).toBe('arn:aws:states:eu-central-1:111111111111:stateMachine:X');
  });

  it('names the construct and the fix when a construct is made outside a federation stack', () => {
    const orphan = new Construct(Testing.app(), 'orphan');

    expect(() => deploymentContext(orphan)).toThrow(/orphan: no deployment context.*provideDeploymentContext/);
  });
});

describe('a task function', () => {
  it('takes grants after it is made, and refuses an environment variable set twice to different values', () => {
    Testing.synthScope((scope) => {
      provideDeploymentContext(scope, CONTEXT);
      const fn = new TaskFunction(scope, 'router', {
        entry: 'router',
        functionName: 'web-identity-router',
        description: 'test',
        logRetentionDays: 1,
        environment: { TENANT_ID: 'a' },
      });
      fn.addEnvironment({ TENANT_ID: 'a' });
      expect(() => fn.addEnvironment({ TENANT_ID: 'b' })).toThrow(/TENANT_ID is already set/);
      expect(fn.roleArn).toBe('arn:aws:iam::111111111111:role/web-identity-router');
    });
  });
});
