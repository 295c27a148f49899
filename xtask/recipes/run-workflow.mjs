// Runs the shell steps of a GitHub Actions job here, as a GitHub-hosted Linux runner runs them, for `cargo xtask
// recipes`: node run-workflow.mjs WORKFLOW.yml [JOB]. Run in the directory that stands for the checked-out
// repository, with the project's dependencies installed.
//
// What the runner does and this does too (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax):
// each `run:` step is written to a file and run by `bash -e FILE` (no `shell:`) or `bash --noprofile --norc -eo
// pipefail FILE` (`shell: bash`), in the workspace, with CI=true, GITHUB_ACTIONS=true, the workflow's, the job's
// and the step's `env:`, and the variables earlier steps wrote to $GITHUB_ENV (`NAME=value` lines and
// `NAME<<DELIMITER` blocks, https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands);
// after a failed step only the steps with `if: always()` or `if: failure()` run, and the job fails; a step
// longer than its `timeout-minutes` (here at most 2) fails.
//
// What it replaces, and says so as it goes: `actions/checkout` (the repository is the current directory),
// `actions/setup-node` (the machine's Node on PATH), and the step `npm ci` (the dependencies are installed
// already: the packed tarballs of mde-mock and mde-investigations and the registry's packages, by cargo xtask).
// Anything else it cannot run as the runner would (another action, a `${{ }}` expression, another shell or
// condition) is an error, never skipped silently.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const REPLACED_ACTIONS = {
  'actions/checkout': 'the repository is the current directory',
  'actions/setup-node': `Node ${process.version} is on PATH`,
};
const REPLACED_RUNS = {
  'npm ci': 'the packed tarballs and the dev dependencies are installed already (cargo xtask recipes)',
};
const MAX_STEP_MS = 2 * 60 * 1000;

function fail(message) {
  console.error(`run-workflow: ${message}`);
  process.exit(2);
}

const [file, jobName] = process.argv.slice(2);
if (!file) fail('usage: node run-workflow.mjs WORKFLOW.yml [JOB]');
const workflow = parse(readFileSync(file, 'utf8'));
const jobs = Object.entries(workflow.jobs ?? {});
const [name, job] = jobName ? [jobName, workflow.jobs?.[jobName]] : jobs.length === 1 ? jobs[0] : [];
if (!job) fail(jobName ? `no job ${jobName}` : 'the workflow has several jobs: name one');

function noExpression(where, value) {
  if (typeof value === 'string' && value.includes('${{')) fail(`${where}: cannot evaluate the expression in ${JSON.stringify(value)}`);
}

/** Whether a step runs, given whether an earlier one failed (`if:` as the runner reads it, for what it supports). */
function shouldRun(step, failed) {
  const condition = String(step.if ?? 'success()').replace(/^\$\{\{\s*(.*?)\s*\}\}$/, '$1');
  switch (condition) {
    case 'success()': return !failed;
    case 'failure()': return failed;
    case 'always()': return true;
    case 'cancelled()': return false;
    default: return fail(`step ${describe(step)}: cannot evaluate if: ${JSON.stringify(step.if)}`);
  }
}

function describe(step) {
  return JSON.stringify(step.name ?? step.uses ?? step.run.split('\n')[0]);
}

/** The variables a step wrote to $GITHUB_ENV. */
function readEnvFile(path) {
  const variables = {};
  const lines = readFileSync(path, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (line === '') continue;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const end = lines.indexOf(block[2], i + 1);
      if (end < 0) fail(`$GITHUB_ENV: no ${block[2]} ends the value of ${block[1]}`);
      variables[block[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else {
      const equals = line.indexOf('=');
      if (equals <= 0) fail(`$GITHUB_ENV: cannot read ${JSON.stringify(line)}`);
      variables[line.slice(0, equals)] = line.slice(equals + 1);
    }
  }
  return variables;
}

function runScript(step, env, timeoutMs) {
  const shell = step.shell ?? 'default';
  if (shell !== 'default' && shell !== 'bash') fail(`step ${describe(step)}: shell ${shell} is not supported`);
  const script = join(env.RUNNER_TEMP, `step-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(script, step.run);
  const args = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', script] : ['-e', script];
  return new Promise((resolve) => {
    // A process group of its own, so that a step that overruns is ended whole.
    const child = spawn('bash', args, { env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const timer = setTimeout(() => {
      console.error(`run-workflow: step ${describe(step)} timed out after ${timeoutMs} ms`);
      process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 && !signal);
    });
  });
}

const temp = mkdtempSync(join(tmpdir(), 'run-workflow-'));
let environment = { ...workflow.env, ...job.env };
let failed = false;
try {
  for (const [index, step] of (job.steps ?? []).entries()) {
    const label = `step ${index + 1} ${describe(step)}`;
    if (!shouldRun(step, failed)) {
      console.log(`==> ${label}: skipped (an earlier step failed)`);
      continue;
    }
    if (step.uses) {
      const action = step.uses.split('@')[0];
      if (!(action in REPLACED_ACTIONS)) fail(`${label}: cannot run the action ${step.uses}`);
      console.log(`==> ${label}: replaced: ${REPLACED_ACTIONS[action]}`);
      continue;
    }
    if (typeof step.run !== 'string') fail(`${label}: neither uses nor run`);
    if (step.run.trim() in REPLACED_RUNS) {
      console.log(`==> ${label}: replaced: ${REPLACED_RUNS[step.run.trim()]}`);
      continue;
    }
    noExpression(label, step.run);
    for (const [key, value] of Object.entries({ ...environment, ...step.env })) noExpression(`${label}, env ${key}`, value);
    if (step['working-directory'] !== undefined) fail(`${label}: working-directory is not supported`);
    const githubEnv = join(temp, `env-${index}`);
    writeFileSync(githubEnv, '');
    const env = {
      ...process.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: process.cwd(),
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: temp,
      GITHUB_ENV: githubEnv,
      GITHUB_OUTPUT: join(temp, `output-${index}`),
      GITHUB_STEP_SUMMARY: join(temp, `summary-${index}`),
      ...Object.fromEntries(Object.entries({ ...environment, ...step.env }).map(([k, v]) => [k, String(v)])),
    };
    const minutes = step['timeout-minutes'] ?? job['timeout-minutes'] ?? 360;
    console.log(`==> ${label}`);
    const ok = await runScript(step, env, Math.min(minutes * 60 * 1000, MAX_STEP_MS));
    environment = { ...environment, ...readEnvFile(githubEnv) };
    if (!ok) {
      console.error(`==> ${label} failed`);
      failed = true;
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}
console.log(failed ? `==> job ${name} failed` : `==> job ${name} passed`);
process.exit(failed ? 1 : 0);
