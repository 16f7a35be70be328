// Specialises the attention kernels' WGSL templates: `//#if FLAG`, `//#if !FLAG`, `//#else`, `//#endif` line
// blocks (nestable) and a prelude of `const` declarations. Pure text processing; any thread.

/** Keeps or drops `//#if` blocks according to `flags`; an unknown flag is an error, not `false`. */
export function specialiseWgsl(source: string, flags: Readonly<Record<string, boolean>>): string {
  const out: string[] = [];
  /** One entry per open block: whether its current branch is emitted. */
  const stack: { active: boolean; seenElse: boolean }[] = [];
  const active = (): boolean => stack.every((s) => s.active);
  const lines = source.split('\n');
  lines.forEach((line, index) => {
    const directive = /^\s*\/\/#(if|else|endif)\b\s*(!?)\s*([A-Z0-9_]*)\s*$/.exec(line);
    if (!directive) {
      if (active()) out.push(line);
      return;
    }
    const [, kind, negate, name] = directive;
    const where = `line ${index + 1}`;
    if (kind === 'if') {
      if (!name) throw new SyntaxError(`specialiseWgsl: //#if without a flag at ${where}`);
      const value = flags[name];
      if (value === undefined) throw new SyntaxError(`specialiseWgsl: unknown flag ${name} at ${where}`);
      stack.push({ active: negate === '!' ? !value : value, seenElse: false });
    } else if (kind === 'else') {
      const top = stack[stack.length - 1];
      if (!top || top.seenElse) throw new SyntaxError(`specialiseWgsl: stray //#else at ${where}`);
      top.active = !top.active;
      top.seenElse = true;
    } else {
      if (!stack.pop()) throw new SyntaxError(`specialiseWgsl: stray //#endif at ${where}`);
    }
  });
  if (stack.length > 0) throw new SyntaxError('specialiseWgsl: unterminated //#if');
  return out.join('\n');
}

/** `const NAME: u32 = 8u;` lines for compile-time sizes (private arrays need const, not override, sizes). */
export function constPrelude(consts: Readonly<Record<string, number>>): string {
  return Object.entries(consts)
    .map(([name, value]) => {
      if (!Number.isInteger(value) || value < 0) {
        throw new RangeError(`constPrelude: ${name} must be a non-negative integer, got ${value}`);
      }
      return `const ${name}: u32 = ${value}u;`;
    })
    .join('\n');
}

/** Moves `enable …;` directives to the top, as WGSL requires them before any declaration. */
export function hoistEnables(source: string): string {
  const enables: string[] = [];
  const rest = source
    .split('\n')
    .filter((line) => {
      if (/^\s*enable\s+[a-z0-9_,\s]+;\s*$/.test(line)) {
        enables.push(line.trim());
        return false;
      }
      return true;
    })
    .join('\n');
  return [...new Set(enables), rest].join('\n');
}
