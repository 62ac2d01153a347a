// Value checks vLLM makes beyond the kind of an option: the bounds its config classes enforce (pydantic
// Field(ge=…), or `if self.x < n: raise` in the class), generated per version with where the source states them.
// Shared by `vllm serve` command lines and YAML/profile options so both say the same thing.
import type { GeneratedVllmOption } from './tableTypes';
import { vllmNumber } from './settings';

/** What the option's bounds say of a value, or undefined when it is within them (or not a number). */
export function boundsProblem(option: GeneratedVllmOption, value: unknown, label: string): string | undefined {
  const b = option.b;
  if (!b) return undefined;
  const n = vllmNumber(value);
  if (n === undefined) return undefined;
  const need: string[] = [];
  if (b.min !== undefined && !(n >= b.min)) need.push(`≥ ${b.min}`);
  if (b.xmin !== undefined && !(n > b.xmin)) need.push(`> ${b.xmin}`);
  if (b.max !== undefined && !(n <= b.max)) need.push(`≤ ${b.max}`);
  if (b.xmax !== undefined && !(n < b.xmax)) need.push(`< ${b.xmax}`);
  if (!need.length) return undefined;
  const all = [
    b.min !== undefined ? `≥ ${b.min}` : b.xmin !== undefined ? `> ${b.xmin}` : '',
    b.max !== undefined ? `≤ ${b.max}` : b.xmax !== undefined ? `< ${b.xmax}` : '',
  ].filter(Boolean).join(' and ');
  return `\`${option.n}\` must be ${all} in ${label}, not ${String(value)}; vLLM refuses it at start-up (${option.bs ?? 'its config class'}).`;
}

/** `None` or an empty value: an Optional field's "not set" (vLLM's optional_type). */
export function isNoneValue(option: GeneratedVllmOption, v: string): boolean {
  return !!option.nul && (v === 'None' || v === '');
}
