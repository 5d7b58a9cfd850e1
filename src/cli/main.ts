// Before any AWS SDK module loads: the SDK's Node-version notice is noise for users of a CLI.
// The SDK itself is imported only by the commands that talk to AWS (live audit, collect, fix,
// permissions), so an offline audit of a snapshot does not pay ~0.5 s to load it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Command, CommanderError, Option } from 'commander';
import { LvsInputError } from '../core/errors.js';
import { SEVERITIES } from '../core/severity.js';
import { chalkFor } from './color.js';
import { runAudit } from './commands/audit.js';
import { runChecks } from './commands/checks.js';
import { ExitCode } from './exit-code.js';
import { OutputClosedError, type CliIo } from './io.js';
import { PLAN_FORMATS, REPORT_FORMATS } from './options.js';

function toolVersion(): string {
  const candidates = [
    new URL('../../package.json', import.meta.url),
    new URL('../../../package.json', import.meta.url),
  ];
  for (const url of candidates) {
    if (existsSync(url)) {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lvs' && pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** A yes/no question on stderr, answered on stdin; end of input counts as "no". */
function confirmOnStdin(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    rl.on('close', () => {
      if (!answered) resolve(false);
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}

/**
 * A write to a pipe whose reader has gone fails with EPIPE: the stream keeps the error (`errored`)
 * and reports it as an 'error' event, which without a listener ends the process with a stack trace.
 * Once the error is kept, stdoutChunks stops at its next chunk, and what else is written to stdout
 * is dropped.
 */
let stdoutErrorsHandled = false;
function handleStdoutErrors(): void {
  if (stdoutErrorsHandled) return;
  stdoutErrorsHandled = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!isEpipe(error)) throw error;
    // Also when the command has already returned, with its output still being written.
    process.exitCode = ExitCode.OutputClosed;
  });
}

function isEpipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

function stdoutClosed(): boolean {
  return isEpipe(process.stdout.errored);
}

export function processIo(): CliIo {
  handleStdoutErrors();
  return {
    stdout: (text) => {
      if (!stdoutClosed()) process.stdout.write(text);
    },
    stdoutChunks: async (chunks) => {
      for (const chunk of chunks) {
        if (stdoutClosed()) throw new OutputClosedError();
        if (!process.stdout.write(chunk)) {
          await once(process.stdout, 'drain').catch((error: unknown) => {
            throw isEpipe(error) ? new OutputClosedError() : error;
          });
        }
      }
      if (stdoutClosed()) throw new OutputClosedError();
    },
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    cwd: process.cwd(),
    now: () => new Date(),
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
    fileExists: (path) =>
      access(path).then(
        () => true,
        () => false,
      ),
    mkdir: async (path) => {
      await mkdir(path, { recursive: true });
    },
    confirm: confirmOnStdin,
  };
}

/** The flags that choose and reach a live account (SPEC 3), the same for audit, collect and fix. */
function withLiveOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'AWS profile of the live account (default: AWS_PROFILE or the default chain)')
    .addOption(
      new Option('--region <region>', 'region, repeatable (default: AWS_REGION or the profile)').argParser(
        collect,
      ),
    )
    .option('--all-regions', 'every region enabled in the account')
    .option('--endpoint-url <url>', 'AWS-compatible endpoint (LocalStack, moto); AWS_ENDPOINT_URL works too');
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const version = toolVersion();
  const program = new Command('lvs')
    .description(
      'Audit AWS Lambda data paths: VPC, S3 gateway endpoint, bucket pinning, least privilege, KMS, X-Ray.',
    )
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run lvs --help for usage)');

  withLiveOptions(program.command('audit'))
    .description('audit every Lambda function of a live account or a snapshot against the reference model')
    .option('--snapshot <file>', 'account snapshot to audit offline (written by lvs collect)')
    .addOption(
      new Option('--format <format>', `report format, repeatable: ${REPORT_FORMATS.join(', ')}`).argParser(
        collect,
      ),
    )
    .addOption(
      new Option('--output <file>', 'write the matching --format to FILE (repeatable)').argParser(collect),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a result fails at or above this severity')
        .choices(SEVERITIES)
        .default('low'),
    )
    .option('--config <file>', 'suppressions and template map (default: ./lvs.config.json when present)')
    .addOption(
      new Option('--function <glob>', 'only functions whose name or ARN matches (repeatable)').argParser(
        collect,
      ),
    )
    .option('--verbose', 'also list passing and not-applicable results in the terminal report')
    .option('--quiet', 'print nothing on stdout when every format goes to a file')
    .option('--color', 'force colour')
    .option('--no-color', 'disable colour')
    .action(async (options: unknown) => {
      setExit(await runAudit(options, io, version));
    });

  withLiveOptions(program.command('collect'))
    .description('read a live account into a snapshot file (environment values redacted), read-only')
    .addOption(
      new Option('--function <glob>', 'only functions whose name or ARN matches (repeatable)').argParser(
        collect,
      ),
    )
    .option('--output <file>', 'write the snapshot to FILE (default: stdout)')
    .action(async (options: unknown) => {
      const { runCollect } = await import('./commands/collect.js');
      setExit(await runCollect(options, io, version));
    });

  withLiveOptions(program.command('fix'))
    .description(
      'plan the remediation of failing results (--dry-run, the default) or carry it out (--apply) with backups',
    )
    .option('--snapshot <file>', 'plan from a snapshot file (dry-run only)')
    .option('--dry-run', 'print the plan and change nothing (the default)')
    .option('--apply', 'carry out the automated steps of the plan, after confirmation')
    .option('--yes', 'do not ask for confirmation (required with --apply when stdin is not a terminal)')
    .addOption(new Option('--format <format>', 'plan format').choices(PLAN_FORMATS))
    .option('--output <file>', 'write the plan to FILE instead of stdout')
    .addOption(
      new Option(
        '--only <rules>',
        'only these rules, comma-separated (e.g. LVS010,LVS009); repeatable',
      ).argParser(collect),
    )
    .addOption(
      new Option(
        '--function <glob>',
        'only findings of functions whose name or ARN matches (repeatable)',
      ).argParser(collect),
    )
    .addOption(
      new Option(
        '--break-glass-arn <arn>',
        'principal exempted from new bucket Deny statements (repeatable)',
      ).argParser(collect),
    )
    .option('--allow-lockout', 'apply a bucket Deny even if it refuses the principal running lvs fix')
    .option('--backup-dir <dir>', 'where --apply saves what it changes (default: .lvs-backup/<timestamp>)')
    .option('--config <file>', 'suppressions (default: ./lvs.config.json when present)')
    .option('--color', 'force colour')
    .option('--no-color', 'disable colour')
    .action(async (options: unknown) => {
      const { runFix } = await import('./commands/fix.js');
      setExit(await runFix(options, io, version));
    });

  program
    .command('permissions')
    .description('print the read-only IAM policy that lvs audit and lvs collect need')
    .action(async () => {
      const { permissionsPolicyJson } = await import('../collect/index.js');
      io.stdout(`${permissionsPolicyJson()}\n`);
      setExit(ExitCode.Ok);
    });

  program
    .command('checks')
    .description('list the rules lvs evaluates')
    .addOption(
      new Option('--format <format>', 'terminal, json or markdown').choices(['terminal', 'json', 'markdown']),
    )
    .action((options: unknown) => {
      runChecks(options, io, chalkFor(io, undefined, false));
      setExit(ExitCode.Ok);
    });
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so tests can drive it. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is a usage error.
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? ExitCode.Ok
        : ExitCode.InputError;
    }
    if (error instanceof LvsInputError) {
      io.stderr(`lvs: ${error.oneLine}\n`);
      return ExitCode.InputError;
    }
    if (error instanceof OutputClosedError) return ExitCode.OutputClosed;
    const detail = error instanceof Error ? error.message : String(error);
    io.stderr(
      `lvs: internal error: ${detail}\n(this is a bug in lvs; rerun with LVS_DEBUG=1 for a stack trace and report it)\n`,
    );
    if (io.env.LVS_DEBUG) io.stderr(`${(error as Error).stack ?? ''}\n`);
    return ExitCode.InputError;
  }
}

/**
 * The entry bin/lvs.js calls: with handleStdoutErrors, the one place that sets the process exit
 * code. A command that writes its output whole (lvs fix --dry-run) has the rest dropped once the
 * reader has gone, and ends as a streamed report does.
 */
export async function run(): Promise<void> {
  const code = await main(process.argv.slice(2), processIo());
  process.exitCode = stdoutClosed() ? ExitCode.OutputClosed : code;
}
