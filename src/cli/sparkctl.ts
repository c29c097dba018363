// sparkctl: the command-line tool of sparkop.
import { APP_USAGE, appCommand } from './app-commands.ts';
import { CLUSTER_USAGE } from './cluster-usage.ts';
import { CONNECT_USAGE, connectCommand } from './connect-commands.ts';
import { UsageError } from './errors.ts';
import { logsCommand, POD_USAGE, uiCommand } from './pod-commands.ts';
import { RENDER_USAGE, renderCommand } from './render-command.ts';
import { createFromScheduleCommand, SCHEDULE_USAGE, schedulesCommand } from './schedule-commands.ts';

const USAGE = `Usage: sparkctl <command> [arguments]

Commands:
  create|list|status|events|delete
                           SparkApplications on a cluster: create -f app.yaml, list -w, status NAME, …
  logs NAME | ui NAME      the driver's (or an executor's) log; the driver's Spark UI on a local port
  cluster up|down|status   a local Kubernetes control plane (real etcd, kube-apiserver, controller manager,
                           scheduler, and simulated nodes) for development and tests
  render -f app.yaml       print the objects native submission would create for a SparkApplication
  schedules list|status    ScheduledSparkApplications; create NAME --from SCHEDULE runs one now
  connect list|status|create|delete|url
                           Spark Connect servers (SparkConnect); url NAME --port-forward reaches one locally

${APP_USAGE}

${POD_USAGE}

${SCHEDULE_USAGE}

${CONNECT_USAGE}

${CLUSTER_USAGE}

${RENDER_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'cluster':
      // Development tooling (src/dev/): loaded only for this command.
      return (await import('./cluster-command.ts')).clusterCommand(rest);
    case 'render':
      return renderCommand(rest);
    case 'schedules':
      return schedulesCommand(rest);
    case 'connect':
      return connectCommand(rest);
    case 'logs':
      return logsCommand(rest);
    case 'ui':
      return uiCommand(rest);
    case 'create':
      if (rest.some((a) => a === '--from' || a.startsWith('--from='))) return createFromScheduleCommand(rest);
      return appCommand(command, rest);
    case 'list':
    case 'status':
    case 'events':
    case 'delete':
      return appCommand(command, rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      console.error(`error: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  },
);
