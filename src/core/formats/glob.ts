// Minimal glob matching for the "file associations" setting: `*`, `**`, `?`, `{a,b}`, `[...]` on paths with
// `/` separators. A pattern without `/` matches the base name (as VS Code's files.associations does); one with
// `/` matches the whole path or any tail of it that starts at a folder boundary.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      inBraces++;
      re += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      re += ')';
    } else if (c === ',' && inBraces > 0) re += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close > i + 1) {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = close;
      } else re += '\\[';
    } else re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  while (inBraces-- > 0) re += ')';
  const anchored = glob.includes('/') ? (glob.startsWith('/') || glob.startsWith('**') ? `^${re}$` : `^(?:.*/)?${re}$`) : `^${re}$`;
  let rx: RegExp;
  try {
    rx = new RegExp(anchored);
  } catch {
    rx = /$^/; // a pattern we cannot read matches nothing
  }
  if (cache.size > 500) cache.clear();
  cache.set(glob, rx);
  return rx;
}

export function globMatch(glob: string, filePath: string): boolean {
  const p = filePath.replace(/\\/g, '/');
  if (!glob.includes('/')) return globToRegExp(glob).test(p.split('/').pop() ?? p);
  return globToRegExp(glob).test(p);
}
