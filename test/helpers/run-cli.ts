// The CLI as bin/lvs.js runs it (processIo, the real stdout), from the TypeScript source: for tests
// that need a real process, e.g. one whose stdout is a pipe. Run with `node --import tsx`.
import { run } from '../../src/cli/main.js';

await run();
