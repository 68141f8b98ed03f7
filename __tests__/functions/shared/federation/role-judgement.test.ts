import {
  type ClientIdKind,
  DirectoryFactsReader,
  type DirectoryFacts,
  isLiveClientId,
  judgeRole,
  namedInPolicy,
} from '../../../../functions/shared/federation';
import type { PolicyDocument, ProviderKeys } from '../../../../functions/shared/iam';

/** The one judgement, one kind at a time (the property test in __tests__/security judges it against an independent oracle). */

const TENANT = '00000000-0000-4000-8000-000000000001';
const HOST = `sts.windows.net/${TENANT}/`;
const KEYS: ProviderKeys = { providerArn: `arn:aws:iam::222222222222:oidc-provider/${HOST}`, conditionKeyPrefix: HOST };
const GATEWAY = '9a7e9a7e-6a7e-4a7e-8a7e-9a7e0a7e0001';
const OURS = { app: '0a000000-0000-4000-8000-0000000000a1', sp: '0a000000-0000-4000-8000-0000000000b1' };
const FOREIGN = { app: 'f0000000-0000-4000-8000-0000000000a1', sp: 'f0000000-0000-4000-8000-0000000000b1' };
const MI = { app: '3d000000-0000-4000-8000-0000000000a1', sp: '3d000000-0000-4000-8000-0000000000b1' };
const DEAD = 'dead0000-0000-4000-8000-00000000dead';

const FACTS: DirectoryFacts = {
  clientIds: new Map<string, ClientIdKind>([
    [OURS.app, 'ours'],
    [FOREIGN.app, 'foreign-application'],
    [MI.app, 'service-principal'],
    [DEAD, 'nothing'],
  ]),
  subjects: new Map([
    [OURS.sp, OURS.app],
    [FOREIGN.sp, FOREIGN.app],
    [MI.sp, MI.app],
  ]),
};
const web = (condition?: Record<string, string | string[]>) => ({
  Effect: 'Allow' as const,
  Principal: { Federated: KEYS.providerArn },
  Action: 'sts:AssumeRoleWithWebIdentity',
  ...(condition ? { Condition: { StringEquals: condition } } : {}),
});
const policy = (...statements: object[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements as never });
const pin = (aud: string | string[], sub?: string) => web({ [`${HOST}:aud`]: aud, ...(sub ? { [`${HOST}:sub`]: sub } : {}) });
const judge = (p: PolicyDocument, options: { tokenVersion?: 1 | 2; held?: string[] } = {}) =>
  judgeRole(p, {
    keys: KEYS,
    held: options.held ?? [GATEWAY, OURS.app],
    tokenVersion: options.tokenVersion ?? 1,
    gatewayClientId: GATEWAY,
    facts: FACTS,
  });

describe('judgeRole', () => {
  it('not a federation: no statement admits the provider’s tokens', () => {
    expect(judge(policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })).kind).toBe(
      'not-federated',
    );
  });

  it('ours: sub pins the service principal of an application of ours; pinned and closed', () => {
    expect(judge(policy(pin(OURS.app, OURS.sp)))).toMatchObject({ kind: 'ours', open: false, access: 'pinned' });
    expect(judge(policy(pin(GATEWAY, OURS.sp)))).toMatchObject({ kind: 'ours', open: false });
  });

  it('the gateway is never hand-made: aud = the gateway and no sub is to federate, and open', () => {
    expect(judge(policy(pin(GATEWAY)))).toMatchObject({ kind: 'to-federate', open: true, access: 'open', handMadeAudiences: [] });
  });

  it('hand-made: aud pins a foreign application, or a service principal with no application here (v1)', () => {
    expect(judge(policy(pin(FOREIGN.app, FOREIGN.sp)))).toMatchObject({ kind: 'hand-made', handMadeAudiences: [FOREIGN.app] });
    expect(judge(policy(pin(MI.app, MI.sp)))).toMatchObject({ kind: 'hand-made', handMadeAudiences: [MI.app] });
    expect(judge(policy(pin([FOREIGN.app, GATEWAY])))).toMatchObject({ kind: 'hand-made', handMadeAudiences: [FOREIGN.app], open: true });
  });

  it('brought: sub names a live identity not ours, through the gateway; with v2 tokens also through its own client ID', () => {
    expect(judge(policy(pin(GATEWAY, MI.sp))).kind).toBe('brought');
    expect(judge(policy(web({ [`${HOST}:sub`]: MI.sp }))).kind).toBe('brought');
    expect(judge(policy(pin(MI.app, MI.sp)), { tokenVersion: 2 }).kind).toBe('brought');
    expect(judge(policy(pin(OURS.app, MI.sp))).kind).toBe('to-federate');
  });

  it('to federate: a placeholder, a dead client ID, a sub that names nothing; the role is to federate if any statement is', () => {
    expect(judge(policy(pin('api://replace-me'))).kind).toBe('to-federate');
    expect(judge(policy(pin(DEAD, 'c0000000-0000-4000-8000-0000000000c1'))).kind).toBe('to-federate');
    expect(judge(policy(pin(FOREIGN.app, FOREIGN.sp), pin('api://replace-me'))).kind).toBe('to-federate');
    expect(judge(policy(pin(FOREIGN.app, FOREIGN.sp), pin(OURS.app, OURS.sp))).kind).toBe('ours');
  });

  it('names what Graph must be asked about: the GUID audiences and subjects of the statements that admit the provider', () => {
    expect(namedInPolicy(policy(pin(['api://x', OURS.app.toUpperCase()], MI.sp), pin(GATEWAY)), KEYS)).toEqual({
      clientIds: [OURS.app, GATEWAY],
      subjects: [MI.sp],
    });
  });
});

describe('DirectoryFactsReader', () => {
  const reads: string[] = [];
  const directory = {
    findApplicationByAppId: async (appId: string) => {
      reads.push(`app ${appId}`);
      if (appId === FOREIGN.app) return { application: { id: 'x', appId, uniqueName: '', displayName: '' }, ours: false };
      return appId === OURS.app ? { application: { id: 'y', appId, uniqueName: '', displayName: '' }, ours: true } : null;
    },
    getServicePrincipalByAppId: async (appId: string) => {
      reads.push(`sp-by-app ${appId}`);
      return appId === MI.app ? { id: MI.sp, appId, displayName: 'mi', servicePrincipalType: 'ManagedIdentity' } : null;
    },
    getServicePrincipal: async (id: string) => {
      reads.push(`sp ${id}`);
      return id === MI.sp ? { id, appId: MI.app, displayName: 'mi', servicePrincipalType: 'ManagedIdentity' } : null;
    },
  };

  it('reads each client ID once: ours, foreign, a service principal with no application, nothing; the platform’s without asking', async () => {
    reads.length = 0;
    const reader = new DirectoryFactsReader(directory, [GATEWAY]);
    const facts = await reader.read({ clientIds: [OURS.app, FOREIGN.app, MI.app, DEAD, GATEWAY, OURS.app], subjects: [MI.sp, DEAD] });
    expect(Object.fromEntries(facts.clientIds)).toEqual({
      [OURS.app]: 'ours',
      [FOREIGN.app]: 'foreign-application',
      [MI.app]: 'service-principal',
      [DEAD]: 'nothing',
      [GATEWAY]: 'platform',
    });
    expect(Object.fromEntries(facts.subjects)).toEqual({ [MI.sp]: MI.app, [DEAD]: null });
    expect(reads.filter((read) => read.includes(OURS.app))).toEqual([`app ${OURS.app}`]);
    expect(reads.some((read) => read.includes(GATEWAY))).toBe(false);
    expect([...facts.clientIds.values()].map(isLiveClientId)).toEqual([true, true, true, false, true]);
  });
});
