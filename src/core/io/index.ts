// The one bounded way to read inputs and the one safe way to write outputs, for the CLI, the editor and the
// engine side alike (read.ts, write.ts); limits every reader uses (limits.ts); temp-file cleanup (temps.ts).
export { describeKind, errnoCode, InputError, OutputError, type InputProblem, type OutputProblem } from './errors';
export { forEachLine, namedOnPurpose, openInputSync, openRegularSync, readInput, readInputSync, readInputText, statInput, type OpenOptions, type ReadOptions } from './read';
export { ensureFolder, openOutput, writeOutput, writeOutputSync, type OutputOptions, type OutputSink } from './write';
export { removeTempsSync, trackTemp, untrackTemp } from './temps';
export { LIMITS } from './limits';
