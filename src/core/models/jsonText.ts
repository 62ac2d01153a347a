// config.json as Python writes it: json.dump emits the non-standard tokens NaN, Infinity and -Infinity
// (Nemotron-H's published config has "time_step_limit": [0.0, Infinity]), which JSON.parse rejects. The model
// readers parse with JSON.parse first and, only when that fails, replace those tokens outside strings by null.

export class ModelJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelJsonError';
  }
}

/** Replaces NaN / Infinity / -Infinity outside string literals by null; everything else is kept byte for byte. */
function withoutPythonConstants(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '-' && text.startsWith('-Infinity', i)) { out += 'null'; i += 9; continue; }
    if (c === 'I' && text.startsWith('Infinity', i)) { out += 'null'; i += 8; continue; }
    if (c === 'N' && text.startsWith('NaN', i)) { out += 'null'; i += 3; continue; }
    out += c;
    i++;
  }
  return out;
}

/** Parses a model config; Python's non-finite constants become null (and are reported in `replaced`). */
export function parseModelJson(text: string, where: string): { value: unknown; replaced: boolean } {
  try {
    return { value: JSON.parse(text), replaced: false };
  } catch (first) {
    if (!/NaN|Infinity/.test(text)) throw new ModelJsonError(`${where} is not valid JSON: ${(first as Error).message}`);
    try {
      return { value: JSON.parse(withoutPythonConstants(text)), replaced: true };
    } catch {
      throw new ModelJsonError(`${where} is not valid JSON: ${(first as Error).message}`);
    }
  }
}
