import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cli-error.js';
import { demoCommand } from './demo.js';
import { solveCommand } from './solve.js';
import { runCommand } from './run.js';
import { exportCommand, meshCommand } from './mesh-export.js';
import { surrogateCommands } from './surrogate-commands.js';
import { workerCommand } from './worker-command.js';

/** One subcommand: its option spec, help text and handler. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const COMMANDS: Command[] = [runCommand, meshCommand, solveCommand, exportCommand, ...surrogateCommands, workerCommand, demoCommand];

/** Register more subcommands (used by the modules that add them). */
export function registerCommand(c: Command): void {
  COMMANDS.push(c);
}

function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'spinefea — lumbar spine finite element models, solver and clinical figures',
    '',
    'usage: spinefea <command> [options]      (spinefea <command> --help for its options)',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
  ].join('\n');
}

function commandHelp(c: Command): string {
  const lines = [`usage: ${c.usage}`, '', c.summary, '', 'options:'];
  for (const [name, o] of Object.entries(c.options)) {
    const desc = (o as { description?: string }).description ?? '';
    lines.push(`  --${name}${o.type === 'string' ? ' <value>' : ''}`.padEnd(30) + desc);
  }
  lines.push('  --help'.padEnd(30) + 'show this help');
  return lines.join('\n');
}

/** Run the CLI with the given arguments; returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`spinefea: unknown command '${name}'\n\n${mainHelp()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    console.error(`spinefea ${name}: ${(e as Error).message}\n\n${commandHelp(cmd)}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  } catch (e) {
    if (e instanceof CliUsageError) {
      console.error(`spinefea ${name}: ${e.message}`);
      return 2;
    }
    const err = e as Error & { code?: string };
    console.error(`spinefea ${name}: ${err.name}${err.code ? ` [${err.code}]` : ''}: ${err.message}`);
    return 1;
  }
}
