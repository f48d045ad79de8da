/**
 * The `spinefea` command. Subcommands are registered in `commands.ts`; each
 * has `--help`. Bad options end with a clear message and exit code 2.
 */
import { runCli } from './commands.js';

process.exitCode = await runCli(process.argv.slice(2));
