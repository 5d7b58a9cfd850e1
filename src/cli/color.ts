import { Chalk, supportsColor, type ChalkInstance } from 'chalk';
import type { CliIo } from './io.js';

/**
 * Colour for what goes to stdout: off for files, when NO_COLOR is set (https://no-color.org), with
 * --no-color, or when stdout is not a terminal; FORCE_COLOR and --color turn it on.
 */
export function chalkFor(io: CliIo, colorFlag: boolean | undefined, toFile: boolean): ChalkInstance {
  if (toFile || colorFlag === false) return new Chalk({ level: 0 });
  if (colorFlag === true) return new Chalk({ level: 1 });
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') {
    return new Chalk({ level: supportsColor ? supportsColor.level : 1 });
  }
  if ((io.env.NO_COLOR ?? '') !== '' || !io.stdoutIsTTY) return new Chalk({ level: 0 });
  return new Chalk({ level: supportsColor ? supportsColor.level : 1 });
}
