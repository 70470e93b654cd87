// target-cli.ts: `ratetest target` as a child process for the integration tests: started on a
// free port, its URL read from the ready line, stopped with SIGINT as a user's Ctrl-C would.
import type { TruthJson } from '../../src/target/truth-log.js';
import { startCli, type CliRun, type StartedCli } from './run-cli.js';

export interface RunningTarget {
  /** http://127.0.0.1:<port>/ */
  url: string;
  cli: StartedCli;
  /** GET /__truth. */
  truth(): Promise<TruthJson>;
  /** SIGINT, then the finished run. */
  stop(): Promise<CliRun>;
}

export async function startTargetCli(flags: string[]): Promise<RunningTarget> {
  const cli = startCli(['target', '--port', '0', ...flags], 120_000);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    cli.child.stdout!.on('data', (d: string) => {
      out += d;
      const match = /listening on (http:\/\/\S+\/)/.exec(out);
      if (match) resolve(match[1]!.replace(/\/$/, '') + '/');
    });
    void cli.done.then((run) => reject(new Error(`ratetest target exited before it was ready (exit ${run.code}):\n${run.stdout}${run.stderr}`)));
  });
  return {
    url,
    cli,
    truth: async () => (await (await fetch(`${url}__truth`)).json()) as TruthJson,
    stop: () => {
      cli.child.kill('SIGINT');
      return cli.done;
    },
  };
}
