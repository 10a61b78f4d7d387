// The README's table of the prompt's commands and of the starting-value flags must say what the
// control table says: a row a command, with the table's example, description and range.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { START_CONTROLS } from '../src/hosts/control-flags.js';
import { PROMPT_CONTROLS, SESSION_COMMANDS, commandNames, whenText } from '../src/hosts/prompt-commands.js';
import { control, flagName, isNumberArg, rangeText, valueArg } from '../src/music/controls.js';
import { ROOT } from './helpers/shared.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The table rows between `<!-- name… -->` and `<!-- /name -->`, header and rule left out. */
function rows(name: string): string[] {
  const m = new RegExp(`<!-- ${name}[^>]*-->\\n([\\s\\S]*?)<!-- /${name} -->`).exec(readme);
  expect(m, `README section ${name}`).not.toBeNull();
  return m![1].trim().split('\n').slice(2);
}

describe('the README', () => {
  it("lists every command the prompt offers, with the control table's example, description, range and moment", () => {
    const table = rows('prompt-commands');
    expect(table).toHaveLength(commandNames().length);
    for (const c of PROMPT_CONTROLS) {
      const row = table.find((r) => r.startsWith(`| \`${c.example}\` |`));
      expect(row, c.name).toBeDefined();
      expect(row).toContain(`| ${c.description} |`);
      expect(row).toContain(`| ${whenText(c.applies)} |`);
      const a = c.args[0];
      if (a && isNumberArg(a)) expect(row, c.name).toContain(`| ${rangeText(a)}`);
    }
    for (const [, usage] of SESSION_COMMANDS) expect(table.some((r) => r.startsWith(`| \`${usage}\` |`)), usage).toBe(true);
  });

  it("lists the starting-value flags with the table's range and default", () => {
    const table = rows('start-flags');
    expect(table).toHaveLength(START_CONTROLS.length);
    for (const name of START_CONTROLS) {
      const a = valueArg(name);
      expect(table, name).toContain(`| \`${flagName(control(name))}\` | ${a.description} | ${rangeText(a)} | ${a.default} |`);
    }
  });
});
