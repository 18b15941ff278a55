#!/usr/bin/env node
/**
 * The `tideline` command line. Each command lives in its own module, loaded when the command runs (a hunt need not
 * load the web server, SQLite or NATS: start-up time and memory); this file only wires flags to them.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './io.js';
import { VERSION } from '../version.js';
import { FORMATS } from '../detect/format.js';
import { LEVELS } from '../sigma/rule.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

function program(): Command {
  const p = new Command('tideline')
    .description('Detection engineering for AWS CloudTrail: Sigma rules, proven on real logs')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  p.command('hunt')
    .description('run Sigma rules over CloudTrail logs (files, .json.gz, S3 export trees, NDJSON, EventBridge, lookup-events, - for stdin)')
    .argument('[logs...]', 'log files or directories (walked recursively), or - for stdin (none with --engine athena)')
    .option('-r, --rules <path>', 'rule file or directory (repeatable; default: the bundled rules)', collect)
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, jsonl otherwise)').choices([...FORMATS]))
    .option('-o, --output <file>', 'write alerts to a file instead of stdout')
    .option('--since <time>', 'only events at or after this time (ISO-8601, or a duration back from now: 90m, 24h, 7d)')
    .option('--until <time>', 'only events before this time')
    .addOption(new Option('--min-level <level>', 'only rules of this level or higher').choices([...LEVELS]))
    .option('-t, --tag <tag>', 'only rules with this tag or a tag under it, e.g. attack.t1562 (repeatable)', collect)
    .option('-w, --workers <n>', 'worker threads (default: one per core)')
    .option('--placeholders <file>', 'YAML values for %placeholders% used by the expand modifier')
    .option('--stats <file>', 'write run statistics as JSON (for scripts and benchmarks)')
    .option('--no-progress', 'no progress bar')
    .option('--no-dedup', 'keep duplicate alerts (same rule and eventID)')
    .option('-c, --count', 'print how many alerts each rule raised (every rule run, zeros included) instead of the alerts; same rules, window and dedup')
    .option('--no-fast-path', 'parse every record whole instead of only the members the rules read (slower; same alerts, for verification)')
    .option('--max-disorder <duration>', 'correlation rules: how far out of event-time order records may arrive (default all: the whole input is ordered first; 15m bounds memory)')
    .addOption(new Option('--engine <engine>', 'native (default); duckdb: the rules converted to SQL, run in embedded DuckDB; athena: submitted to Amazon Athena').choices(['native', 'duckdb', 'athena']))
    .option('--database <name>', '--engine athena: Glue database of the CloudTrail table')
    .option('--table <name>', '--engine athena: the CloudTrail table (DDL in the README)')
    .option('--workgroup <name>', '--engine athena: Athena workgroup')
    .option('--output-location <s3url>', '--engine athena: s3:// location for query results')
    .action(async (logs: string[], flags, cmd: Command) => {
      // LOGS are required except with --engine athena (which reads a table): same message as a required argument.
      if (logs.length === 0 && flags.engine !== 'athena') cmd.error("error: missing required argument 'logs'", { code: 'commander.missingArgument' });
      process.exitCode = await (await import('./hunt.js')).huntCommand(logs, flags);
    });

  const rules = p.command('rules').description('work with Sigma rules');
  rules
    .command('lint')
    .description('report every problem in every rule (file:line:col); exit 2 if any error')
    .argument('[paths...]', 'rule files or directories (default: the bundled rules)')
    .option('--strict', 'warnings fail too')
    .option('-q, --quiet', 'print errors only')
    .action(async (paths: string[], flags) => {
      process.exitCode = (await import('./rules.js')).lintCommand(paths, flags);
    });
  rules
    .command('list')
    .description('list rules with level, index field and title')
    .argument('[paths...]', 'rule files or directories (default: the bundled rules)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'jsonl']).default('table'))
    .action(async (paths: string[], flags) => {
      process.exitCode = (await import('./rules.js')).listCommand(paths, flags);
    });
  p.command('validate')
    .description('check content (advisories, TVMs, DOMs, MDRs, Sigma rules, rule tests): schemas, vocabularies, ATT&CK ids, UUIDs, references; exit 2 on any error')
    .argument('[dirs...]', 'content directories or files (default: the bundled content)')
    .option('--strict', 'warnings fail too')
    .option('-q, --quiet', 'print errors only')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (dirs: string[], flags) => {
      process.exitCode = (await import('./content.js')).validateCommand(dirs, flags);
    });

  p.command('test')
    .description('run every rule test (events that must match and must not); exit 2 on any failure')
    .argument('[paths...]', 'directories or files holding rules and their *.tests.yml (default: the bundled content)')
    .option('--junit <file>', 'also write the results as JUnit XML')
    .option('--strict', 'rules without tests fail too')
    .option('-v, --verbose', 'list passing cases too')
    .action(async (paths: string[], flags) => {
      process.exitCode = (await import('./content.js')).testCommand(paths, flags);
    });
  p.command('import')
    .description('opentide: turn an OpenTide repository (Objects/Threat Vectors/... or Models/...) into a content directory; content: load a content directory into the server store')
    .argument('<format>', 'opentide | content')
    .argument('<src>', 'the OpenTide repository, or the content directory')
    .option('-o, --out <dir>', 'opentide: content directory to write (threat-vectors/, detection-objectives/, detection-rules/)')
    .option('--data <dir>', 'content: the server data directory (default $TIDELINE_DATA or ./tideline-data)')
    .option('--force', 'opentide: replace files that differ; content: import the valid objects despite errors')
    .action(async (format: string, src: string, flags) => {
      process.exitCode = format === 'content' ? (await import('./serve.js')).importContentCommand(src, flags) : (await import('./opentide.js')).importCommand(format, src, flags);
    });

  p.command('export')
    .description('opentide: write content as an OpenTide repository (Objects/<family>/<name>.yaml), unchanged; content: write the server store back as a content directory')
    .argument('<format>', 'opentide | content')
    .argument('<out>', 'directory to write')
    .option('--from <dir>', 'opentide: content directory (repeatable; default: the bundled content)', collect)
    .option('--data <dir>', 'content: the server data directory (default $TIDELINE_DATA or ./tideline-data)')
    .option('--force', 'replace files that exist with different content')
    .action(async (format: string, out: string, flags) => {
      process.exitCode = format === 'content' ? (await import('./serve.js')).exportContentCommand(out, flags) : (await import('./opentide.js')).exportCommand(format, out, flags);
    });

  p.command('serve')
    .description('serve the threat feed, pages and REST API (first start: bundled content, sample alerts, an admin account)')
    .option('-p, --port <port>', 'TCP port (default $PORT or 8080)')
    .option('--host <host>', 'address to listen on (default $HOST or 127.0.0.1)')
    .option('--data <dir>', 'data directory holding tideline.db (default $TIDELINE_DATA or ./tideline-data)')
    .option('--log-level <level>', 'pino log level (default $LOG_LEVEL or info)')
    .option('--secure-cookies', 'mark cookies Secure (serving over TLS; also $TIDELINE_SECURE_COOKIES=1)')
    .option('--trust-proxy', 'trust X-Forwarded-* from a reverse proxy (also $TIDELINE_TRUST_PROXY=1)')
    .option('--no-seed', 'do not load the bundled content into an empty store')
    .option('--watch <dir>', 'hunt new log files (S3-export trees) dropped under this directory into the store, with the stored rules')
    .option('--watch-interval <seconds>', 'how often --watch lists the directory (default 10; polling works on network filesystems)')
    .action(async (flags) => {
      process.exitCode = await (await import('./serve.js')).serveCommand(flags);
    });

  const users = p.command('users').description('manage accounts of the server store');
  users
    .command('add')
    .description('add an account; the password is read from $TIDELINE_PASSWORD')
    .argument('<username>')
    .requiredOption('--role <role>', 'viewer | analyst | editor | admin')
    .option('--clearance <tlp>', 'highest TLP the account may see: clear | green | amber | amber+strict | red (default by role)')
    .option('--data <dir>', 'data directory (default $TIDELINE_DATA or ./tideline-data)')
    .option('--password-env <var>', 'environment variable holding the password (default TIDELINE_PASSWORD)')
    .action(async (name: string, flags) => {
      process.exitCode = (await import('./serve.js')).usersAddCommand(name, flags);
    });
  users
    .command('list')
    .option('--data <dir>', 'data directory')
    .action(async (flags) => {
      process.exitCode = (await import('./serve.js')).usersListCommand(flags);
    });
  p.command('simulate')
    .description("play an advisory's attack chain as realistic CloudTrail events mixed into benign activity (offline)")
    .argument('<advisory>', 'advisory slug, UUID, name or file')
    .option('--from <dir>', 'content directory (repeatable; default: the bundled content)', collect)
    .option('-o, --out <dir>', 'write an S3 export tree (AWSLogs/...json.gz) and simulation.json here (default: NDJSON on stdout)')
    .option('--seed <text>', 'random seed (default: the advisory UUID); same seed and start give the same events')
    .option('--start <time>', 'when the first step happens (ISO-8601; default: one hour ago)')
    .option('--noise <n>', 'benign background events (default 500)')
    .option('--account <id>', 'victim AWS account (default 111122223333)')
    .option('--region <region>', 'AWS region (default us-east-1)')
    .action(async (key: string, flags) => {
      process.exitCode = (await import('./coverage.js')).simulateCommand(key, flags);
    });

  p.command('coverage')
    .description("measure which rules fire on each step of an advisory's attack chain, and which steps no rule detects; exit 2 on a gap")
    .argument('[advisory]', 'advisory slug, UUID, name or file (default: every advisory)')
    .option('--from <dir>', 'content directory (repeatable; default: the bundled content)', collect)
    .option('--events <dir>', 'measure on a `tideline simulate --out` tree instead of simulating in memory')
    .option('--seed <text>', 'random seed for the simulation')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (key: string | undefined, flags) => {
      process.exitCode = await (await import('./coverage.js')).coverageCommand(key, flags);
    });

  p.command('docs')
    .description('render every advisory, TVM, DOM, MDR and rule as Markdown pages, with relations, test status and measured coverage')
    .argument('<out>', 'output directory')
    .option('--from <dir>', 'content directory (repeatable; default: the bundled content)', collect)
    .action(async (out: string, flags) => {
      process.exitCode = (await import('./coverage.js')).docsCommand(out, flags);
    });
  p.command('convert')
    .description('convert Sigma rules to target queries (SQL...); rules that cannot convert exactly are reported with the reason (exit 2)')
    .argument('[rules...]', 'rule files or directories (default: the bundled rules)')
    .option('-t, --target <target>', 'target (see --list-targets)')
    .option('-p, --pipeline <name|file>', 'extra pipeline after the target\'s own (repeatable)', collect)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--list-targets', 'list targets and their pipelines')
    .option('--table <name>', 'SQL targets: table holding the records (default cloudtrail)')
    .option('--column <name>', 'SQL targets: JSON column holding each record (default record)')
    .option('--placeholders <file>', 'YAML values for %placeholders% used by the expand modifier')
    .action(async (rules: string[], flags) => {
      process.exitCode = (await import('./convert.js')).convertCommand(rules, flags);
    });
  p.command('verify')
    .description('validate CloudTrail digest files offline (signatures, chain, log file hashes, missing/unlisted files) and find logging gaps; exit 2 on any integrity failure')
    .argument('<logs...>', 'the S3 export tree(s): AWSLogs/<account>/CloudTrail/... and CloudTrail-Digest/...')
    .option('-k, --public-keys <file>', 'public keys: `aws cloudtrail list-public-keys` JSON output or PEM (repeatable; without, signatures are not checked)', collect)
    .option('--signatures <file>', 'saved digest signatures (S3 metadata): {"<s3Object>": {"signature": "<hex>"}}; also read: <digest>.sig beside a digest')
    .option('--from <time>', 'only digests ending after this time (ISO-8601 or a duration back from now)')
    .option('--to <time>', 'only digests starting before this time')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, jsonl otherwise)').choices(['table', 'jsonl']))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--alerts <file>', 'also write integrity failures and gaps as alerts (the hunt alert shape)')
    .addOption(new Option('--alerts-format <format>', 'format of --alerts (default jsonl)').choices([...FORMATS]))
    .option('-q, --quiet', 'list only the files with a problem')
    .option('--no-gaps', 'do not look for logging gaps')
    .option('--gap-threshold <duration>', 'fixed gap threshold (90m, 2h) instead of the per-stream one')
    .option('--gap-factor <n>', 'gap threshold = factor × quantile of the stream\'s quiet periods (default 2)')
    .option('--gap-quantile <q>', 'quantile of the quiet periods (default 0.99)')
    .option('--gap-floor <duration>', 'smallest gap threshold (default 1h)')
    .option('--no-progress', 'no progress bar')
    .action(async (logs: string[], flags) => {
      process.exitCode = await (await import('./integrity.js')).verifyCommand(logs, flags);
    });

  p.command('gaps')
    .description('find logging gaps: per account and region, quiet periods longer than its own history makes normal (alerts of the built-in detection "CloudTrail logging gap")')
    .argument('<logs...>', 'log files or directories (walked recursively), or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, jsonl otherwise)').choices([...FORMATS]))
    .option('-o, --output <file>', 'write alerts to a file instead of stdout')
    .option('--since <time>', 'only events at or after this time')
    .option('--until <time>', 'only events before this time')
    .option('--gap-threshold <duration>', 'fixed gap threshold (90m, 2h) instead of the per-stream one')
    .option('--gap-factor <n>', 'gap threshold = factor × quantile of the stream\'s quiet periods (default 2)')
    .option('--gap-quantile <q>', 'quantile of the quiet periods (default 0.99)')
    .option('--gap-floor <duration>', 'smallest gap threshold (default 1h)')
    .option('--no-progress', 'no progress bar')
    .action(async (logs: string[], flags) => {
      process.exitCode = await (await import('./integrity.js')).gapsCommand(logs, flags);
    });

  p.command('trails')
    .description("each trail's configuration over time (logging, destination, validation, scope, selectors, bucket policy and lifecycle): who changed what, weakening changes flagged")
    .argument('<logs...>', 'log files or directories (walked recursively), or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format (default: table on a terminal, jsonl otherwise)').choices(['table', 'jsonl']))
    .option('-o, --output <file>', 'write the timeline to a file instead of stdout')
    .option('--bucket <name>', "a trail's log bucket the logs do not reveal (repeatable)", collect)
    .option('--alerts <file>', 'also write weakening changes as alerts of "CloudTrail trail weakened" (the hunt alert shape)')
    .addOption(new Option('--alerts-format <format>', 'format of --alerts (default jsonl)').choices([...FORMATS]))
    .option('--no-progress', 'no progress bar')
    .action(async (logs: string[], flags) => {
      process.exitCode = await (await import('./integrity.js')).trailsCommand(logs, flags);
    });
  p.command('worker')
    .description('streaming detection: consume CloudTrail records from NATS JetStream (durable consumer shared by all workers), write alerts durably, then acknowledge')
    .requiredOption('--nats <url>', 'NATS server(s), e.g. nats://127.0.0.1:4222 (comma-separated for a cluster)')
    .option('--stream <name>', 'JetStream stream (default CLOUDTRAIL; created when missing)')
    .option('-r, --rules <path>', 'rule file or directory (repeatable; default: the bundled rules)', collect)
    .option('-o, --output <file>', 'append alerts as JSONL (fsync before acknowledging)')
    .option('--data <dir>', 'also insert alerts into the platform store of this data directory')
    .option('--name <name>', 'worker identity owning its alert claims (default: from --output)')
    .option('--partition <filter>', 'subject filter this worker consumes (default cloudtrail.>; e.g. cloudtrail.111122223333.>)')
    .option('--batch <n>', 'messages per durable write and acknowledgement (default 256)')
    .option('--ack-wait <duration>', 'redelivery delay of unacknowledged messages (default 30s)')
    .option('--max-disorder <duration>', 'correlation: event-time disorder tolerated (default 15m)')
    .option('--idle-exit <duration>', 'exit after this long without a message')
    .option('--ocsf', 'write alerts (and generic webhook bodies) as OCSF Detection Findings (class 2004)')
    .option('--webhook <url>', 'POST each alert as JSON (repeatable; retried with backoff)', collect)
    .addOption(new Option('--webhook-format <format>', 'body of --webhook').choices(['json', 'slack']))
    .option('--slack-webhook <url>', 'POST each alert as a Slack-compatible message (repeatable)', collect)
    .action(async (flags) => {
      process.exitCode = await (await import('./stream.js')).workerCommand(flags);
    });

  p.command('publish')
    .description('publish CloudTrail records (any input hunt reads) to NATS JetStream on cloudtrail.<account>.<region>, Nats-Msg-Id = eventID')
    .argument('<logs...>', 'log files or directories (walked recursively), or - for stdin')
    .requiredOption('--nats <url>', 'NATS server(s), e.g. nats://127.0.0.1:4222')
    .option('--stream <name>', 'JetStream stream (default CLOUDTRAIL; created when missing)')
    .action(async (logs: string[], flags) => {
      process.exitCode = await (await import('./stream.js')).publishCommand(logs, flags);
    });
  return p;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; anything else is a usage error.
      process.exitCode = e.exitCode === 0 ? 0 : 1;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`tideline: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

await main(process.argv);
