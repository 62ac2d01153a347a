// Every semantic rule, in the order their diagnostics are reported. Add a rule: one file + one line here.
import { contextLengthRule } from './contextLength';
import { gpuMemoryUtilizationRule } from './gpuMemoryUtilization';
import { memoryFitRule } from './memoryFit';
import { modelPathRule } from './modelPath';
import type { Rule } from './rule';
import { tensorParallelRule } from './tensorParallel';

export type { Rule, RuleContext } from './rule';

export const RULES: Rule[] = [
  modelPathRule,
  gpuMemoryUtilizationRule,
  contextLengthRule,
  tensorParallelRule,
  memoryFitRule,
];
