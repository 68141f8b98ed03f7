import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateTeamWriteBurst } from '../../../simulation/engine/burst';

/** `npm run simulate` as a user runs it: a child process, JSON on stdout, logs on stderr, exit codes. */

const ROOT = resolve(__dirname, '..', '..', '..');
const EXAMPLES = join(ROOT, 'simulation', 'examples');

function simulate(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'simulation', 'cli', 'simulate.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'simulate-')), name);
  writeFileSync(path, content);
  return path;
}

const world = join(EXAMPLES, 'world.json');
const events = join(EXAMPLES, 'events.json');

describe('npm run simulate', () => {
  it('runs the examples: the federated role ends ready, the redelivery starts nothing, one JSON document on stdout', () => {
    // Act
    const { status, stdout, stderr } = simulate('--world', world, '--events', events);
    // Assess
    expect(status).toBe(0);
    const output = JSON.parse(stdout);
    expect(Object.keys(output)).toEqual([
      'accounts',
      'entra',
      'automationRecords',
      'faults',
      'failedRemovals',
      'iam',
      'executions',
      'ignoredEvents',
      'calls',
      'summary',
      'invariants',
    ]);
    expect(output.invariants.violations).toEqual([]);
    // The second CreateRole is a redelivery of an event already acted on: not an ignored event.
    expect(output.ignoredEvents).toEqual([]);
    const account = output.iam['222222222222'];
    const role = account.roles.find((r: { roleName: string }) => r.roleName === 'ci-deployer');
    const [app] = output.entra.applications;
    expect(role.tags['entra:federation-status']).toBe('ready');
    expect(role.tags['entra:client-id']).toBe(app.appId);
    expect(typeof role.assumeRolePolicyDocument).toBe('object');
    expect(account.oidcProviders[0].clientIds).toEqual([app.appId]);
    expect(account.roles.map((r: { roleName: string }) => r.roleName)).toEqual(['ci-deployer']);
    expect(output.entra.servicePrincipals).toEqual([
      {
        id: role.tags['entra:service-principal-id'],
        appId: app.appId,
        displayName: app.displayName,
        servicePrincipalType: 'Application',
        accountEnabled: true,
        createdBy: 'automation',
      },
    ]);
    expect(app).toMatchObject({ owners: ['automation'], createdBy: 'automation' });
    expect(role.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(output.executions.map((e: { stateMachine: string; status: string }) => [e.stateMachine, e.status])).toEqual([
      ['Web-Identity-Role-Create', 'SUCCEEDED'],
      ['Web-Identity-Role-Delete', 'SUCCEEDED'],
    ]);
    expect(output.calls['graph:POST /applications']).toBe(1);
    expect(output.calls['iam:UpdateAssumeRolePolicy']).toBe(1);
    expect(stderr).toContain('"message":"execution started"');
  });

  it('sweeps a world without events (--sweep), adding the sweep section last', () => {
    // Act
    const { status, stdout } = simulate('--world', join(EXAMPLES, 'sweep', 'day-one', 'world.json'), '--sweep', 'report');
    // Assess
    expect(status).toBe(0);
    const output = JSON.parse(stdout);
    expect(Object.keys(output)).toEqual([
      'accounts',
      'entra',
      'automationRecords',
      'faults',
      'failedRemovals',
      'iam',
      'executions',
      'ignoredEvents',
      'calls',
      'summary',
      'invariants',
      'sweep',
    ]);
    expect(output.sweep).toMatchObject({
      mode: 'report',
      totals: { accounts: 2, findings: 3 },
      report: expect.stringMatching(/sweeps\/simulate-sweep\/report\.json$/),
    });
    expect(output.executions).toEqual([]);
  });

  it('refuses a --sweep mode it does not know, with the usage', () => {
    const { status, stderr } = simulate('--world', world, '--sweep', 'fix');
    expect(status).toBe(2);
    expect(stderr).toMatch(/--sweep must be report or repair, not "fix"\nusage: npm run simulate/);
  });

  it('does not apply a failed call (errorCode) to the world', () => {
    const failed = JSON.parse(readFileSync(events, 'utf8')).slice(0, 1);
    failed[0].detail.errorCode = 'EntityAlreadyExists';
    const { status, stdout } = simulate('--world', world, '--events', tempFile('events.json', JSON.stringify(failed)));
    expect(status).toBe(0);
    const output = JSON.parse(stdout);
    expect(output.iam['222222222222'].roles.map((r: { roleName: string }) => r.roleName)).toEqual(['legacy-batch']);
    expect(output.executions).toEqual([]);
    expect(output.ignoredEvents).toEqual([
      {
        eventId: failed[0].detail.eventID,
        eventName: 'CreateRole',
        account: '222222222222',
        roleName: 'ci-deployer',
        reason: 'call-failed',
        detail: 'the call failed (EntityAlreadyExists)',
      },
    ]);
  });

  it('--html writes the sweep report page the report step wrote, beside the JSON output', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'simulate-html-')), 'report.html');
    const { status, stdout } = simulate('--world', join(EXAMPLES, 'sweep', 'day-one', 'world.json'), '--sweep', 'report', '--html', file);
    expect(status).toBe(0);
    expect(JSON.parse(stdout).sweep.mode).toBe('report');
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html.match(/<tr data-account=/g)).toHaveLength(3);
    expect(simulate('--world', world, '--check', '--html', file).stderr).toContain(
      "--html writes the sweep's report: give --sweep report|repair too",
    );
  });

  it('answers --help with its usage on stdout and exit 0', () => {
    const { status, stdout, stderr } = simulate('--world', world, '--help');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^usage: npm run simulate -- --world <world\.json>/);
    expect(stdout).toContain('--format json|markdown');
    expect(stderr).toBe('');
  });

  it('names the closest option for a misspelt one, in its own words (exit 2)', () => {
    const { status, stdout, stderr } = simulate('--wrold', world, '--events');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('simulate: unknown option --wrold; did you mean --world?\nsimulate: --events needs a value\nusage:');
    expect(stderr).not.toMatch(/ERR_PARSE_ARGS|Unknown option '/);
  });

  it('--format markdown prints the summary, the executions, the ignored events and the sweep findings as tables', () => {
    const { status, stdout } = simulate('--world', world, '--events', events, '--sweep', 'report', '--format', 'markdown');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^# Simulation\n\n## Summary\n\n\| what \| value \|\n\|---\|---\|\n\| federated roles \| 1 \|/);
    expect(stdout).toContain('| Web-Identity-Role-Create | CreateRole-');
    expect(stdout).toContain('| SUCCEEDED | Federated |');
    expect(stdout).toContain('## Ignored events\n\n_none_\n');
    expect(stdout).toContain('## Sweep (report)\n\n');
    expect(stdout).toContain('### Findings\n\n_none_\n');
    const dayOne = simulate('--world', join(EXAMPLES, 'sweep', 'day-one', 'world.json'), '--sweep', 'report', '--format', 'markdown');
    expect(dayOne.stdout).toMatch(
      /### Findings\n\n\| account \| role or application \| kind \| action \| result \| detail \|\n\|---\|---\|---\|---\|---\|---\|\n\| 222222222222 \| \S+ \| unfederated \| federate \| proposed \|/,
    );
    expect(simulate('--world', world, '--check', '--format', 'html').stderr).toContain('--format must be json or markdown, not "html"');
  });

  it('exits non-zero naming the unreadable file', () => {
    const { status, stdout, stderr } = simulate('--world', join(EXAMPLES, 'missing.json'), '--events', events);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/world file .*missing\.json cannot be read \(ENOENT\)/);
  });

  it('exits non-zero naming the field of a malformed world', () => {
    const badKey = simulate('--world', tempFile('world.json', JSON.stringify({ accounts: { '12345': {} } })), '--events', events);
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toMatch(/accounts\.12345/);
    const badPolicy = tempFile(
      'world.json',
      JSON.stringify({ accounts: { '123456789012': { roles: [{ roleName: 'x', assumeRolePolicyDocument: '{' }] } } }),
    );
    const { status, stderr } = simulate('--world', badPolicy, '--events', events);
    expect(status).toBe(2);
    expect(stderr).toMatch(/accounts\.123456789012\.roles\.0\.assumeRolePolicyDocument: .*JSON/);
  });

  it('--revoke runs the revoke machine after the events, and needs --reason', () => {
    const scenario = join(EXAMPLES, 'security', 'leave-federation-revokes-sessions', 'world.json');
    const withoutReason = simulate('--world', scenario, '--revoke', '222222222222/ci-deployer');
    const revoked = simulate(
      '--world',
      scenario,
      '--revoke',
      '222222222222/ci-deployer',
      '--reason',
      'INC-42',
      '--requested-by',
      'arn:aws:iam::111111111111:user/alice',
    );
    const malformed = simulate('--world', scenario, '--revoke', 'ci-deployer', '--reason', 'x');

    expect([withoutReason.status, malformed.status]).toEqual([2, 2]);
    expect(withoutReason.stderr).toMatch(/--revoke needs --reason/);
    expect(malformed.stderr).toMatch(/--revoke "ci-deployer": expected <12-digit account>\/<role name>/);
    expect(revoked.status).toBe(0);
    const output = JSON.parse(revoked.stdout);
    expect(
      output.executions.map((execution: { stateMachine: string; status: string }) => [execution.stateMachine, execution.status]),
    ).toEqual([['Web-Identity-Role-Revoke', 'SUCCEEDED']]);
    expect(output.accounts['222222222222'].roles[0].tags['entra:federation-status']).toBe('revoked');
    expect(revoked.stderr).toMatch(/"alarm":"role-revoked".*"requestedBy":"arn:aws:iam::111111111111:user\/alice"/);
  });

  it('exits non-zero naming the fault of a world that injects a fault on no known call', () => {
    const faulty = tempFile(
      'world.json',
      JSON.stringify({ accounts: {}, faults: [{ call: 'iam:AttachRolePolicy', status: 400, code: 'x', times: -1 }] }),
    );
    const { status, stdout, stderr } = simulate('--world', faulty, '--events', events);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/faults\.0\.call: "iam:AttachRolePolicy" is not a call key/);
    expect(stderr).toMatch(/faults\.0\.times: how many matching calls fail/);
  });

  it('exits non-zero naming the event and field of malformed events', () => {
    const broken = JSON.parse(readFileSync(events, 'utf8'));
    delete broken[1].detail.eventID;
    const { status, stderr } = simulate('--world', world, '--events', tempFile('events.json', JSON.stringify(broken)));
    expect(status).toBe(2);
    expect(stderr).toMatch(/\[1\]\.detail\.eventID/);
  });

  it('exits non-zero on invalid JSON and on a bad --config', () => {
    const notJson = simulate('--world', world, '--events', tempFile('events.json', '[{'));
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/events file .* is not valid JSON/);
    const badConfig = simulate('--world', world, '--events', events, '--config', tempFile('config.json', '{"entra":{}}'));
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toMatch(/Invalid configuration .*config\.json/);
  });

  it('exits non-zero with the usage when an option is missing', () => {
    const { status, stderr } = simulate('--world', world);
    expect(status).toBe(2);
    expect(stderr).toMatch(
      /--world is required, and --events unless --sweep, --revoke, --restore or --check is given\nusage: npm run simulate/,
    );
  });

  it('runs under load with the load options: the same seed prints the same document, with the load report and the invariants', () => {
    // Act
    const options = ['--concurrency', '5', '--seed', '3', '--duplicates', '0.5', '--reorder', '2', '--check'];
    const first = simulate('--world', world, '--events', events, ...options);
    const again = simulate('--world', world, '--events', events, ...options);
    // Assess
    expect(first.status).toBe(0);
    const output = JSON.parse(first.stdout);
    expect(Object.keys(output)).toEqual([
      'accounts',
      'entra',
      'automationRecords',
      'faults',
      'failedRemovals',
      'iam',
      'executions',
      'ignoredEvents',
      'calls',
      'summary',
      'load',
      'invariants',
    ]);
    expect(output.load).toMatchObject({ seed: 3, concurrency: 5, duplicates: 0.5, reorderSeconds: 2 });
    expect(output.invariants.violations).toEqual([]);
    expect(again.stdout).toBe(first.stdout);
  });

  it('under load, --check exits 3 naming a team write the automation overwrote and did not write again; 0 when every one was', () => {
    // Prepare: six accounts of the team burst; IAM refuses every trust policy write after the first six
    // (skip 6), so the re-applications that follow the overwrites fail (found with seed 1)
    const burst = generateTeamWriteBurst({ seed: 1, accounts: 6 });
    const eventsFile = tempFile('events.json', JSON.stringify(burst.events));
    const failing = tempFile(
      'world.json',
      JSON.stringify({
        ...burst.world,
        faults: [{ call: 'iam:UpdateAssumeRolePolicy', status: 500, code: 'ServiceFailure', skip: 6, times: 0 }],
      }),
    );
    const healthy = tempFile('world.json', JSON.stringify(burst.world));
    const load = ['--events', eventsFile, '--concurrency', '50', '--seed', '1', '--check'];
    // Act
    const lost = simulate('--world', failing, ...load);
    const kept = simulate('--world', healthy, ...load);
    // Assess
    expect(lost.status).toBe(3);
    expect(lost.stderr).toMatch(/team trust-policy write\(s\) overwritten and not written again:\n {2}account 4100000000\d\d: svc-2/);
    expect(JSON.parse(lost.stdout).load.trustPolicyOverwrites).toContainEqual(expect.objectContaining({ repaired: false }));
    expect(kept.status).toBe(0);
    const overwrites = JSON.parse(kept.stdout).load.trustPolicyOverwrites as { repaired: boolean }[];
    expect(overwrites.length).toBeGreaterThan(0);
    expect(overwrites.every((o) => o.repaired)).toBe(true);
  });

  it('exits 2 naming the load option that is out of range', () => {
    const zero = simulate('--world', world, '--events', events, '--concurrency', '0');
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/--concurrency 0: a whole number of 1 or more/);
    const word = simulate('--world', world, '--events', events, '--duplicates', 'often');
    expect(word.status).toBe(2);
    expect(word.stderr).toMatch(/--duplicates "often": expected a chance between 0 and 1/);
  });

  it('checks a world file alone: exit 3 naming the violation, 0 for a world where every invariant holds', () => {
    // Prepare: a provider holding a client ID that names nothing in the tenant
    const broken = tempFile(
      'world.json',
      JSON.stringify({
        accounts: {
          '222222222222': {
            oidcProviders: [
              { url: 'https://sts.windows.net/00000000-0000-4000-8000-000000000001/', clientIds: ['dead0000-0000-4000-8000-00000000dead'] },
            ],
          },
        },
      }),
    );
    // Act
    const violated = simulate('--world', broken, '--check');
    const holds = simulate('--world', world, '--check');
    // Assess
    expect(violated.status).toBe(3);
    expect(JSON.parse(violated.stdout).invariants.violations).toEqual([
      expect.objectContaining({ invariant: 'client-id-without-application' }),
    ]);
    expect(violated.stderr).toMatch(/1 invariant violation\(s\):\n {2}client-id-without-application: account 222222222222: .*dead0000/);
    expect(holds.status).toBe(0);
    expect(JSON.parse(holds.stdout).executions).toEqual([]);
  });

  it('continues from an output: the output is the next world, and replaying it with --check and no events changes nothing', () => {
    // Prepare
    const first = simulate('--world', world, '--events', events);
    const written = tempFile('out.json', first.stdout);
    // Act
    const replay = simulate('--world', written, '--check');
    // Assess
    expect(first.status).toBe(0);
    expect(replay.status).toBe(0);
    const [before, after] = [JSON.parse(first.stdout), JSON.parse(replay.stdout)];
    for (const key of ['accounts', 'entra', 'faults', 'failedRemovals']) expect(after[key]).toEqual(before[key]);
    expect(after.invariants).toEqual(before.invariants);
    expect(after.executions).toEqual([]);
  });
});
