// WGSL text generation shared by the register-blocked GEMM kernels: fills `//@NAME` markers of a template and
// emits unrolled register blocks (CPU-emulated adapters do not unroll loops or promote local arrays). Pure.

/** Replaces each `//@NAME` marker line of `template` with `blocks[NAME]`; every marker must be given. */
export function fillTemplate(template: string, blocks: Readonly<Record<string, string>>): string {
  const filled = template.replace(
    /^([ \t]*)\/\/@([A-Z0-9_]+)[ \t]*$/gm,
    (_line, indent: string, name: string) => {
      const block = blocks[name];
      if (block === undefined) throw new Error(`WGSL template marker //@${name} has no block`);
      return block
        .split('\n')
        .map((l) => (l.length > 0 ? indent + l : l))
        .join('\n');
    },
  );
  const left = /\/\/@[A-Z0-9_]+/.exec(filled);
  if (left) throw new Error(`WGSL template marker ${left[0]} is malformed or inside a block`);
  return filled;
}

export const wgslBool = (v: boolean): string => (v ? 'true' : 'false');

/** `const NAME: i32 = v;` lines for integers, `const NAME = true;` for booleans. */
export function constBlock(values: Readonly<Record<string, number | boolean>>): string {
  return Object.entries(values)
    .map(([name, v]) =>
      typeof v === 'boolean' ? `const ${name} = ${wgslBool(v)};` : `const ${name}: i32 = ${v};`,
    )
    .join('\n');
}

/** Accumulators acc{i}_{j}: vec4 over 4 columns, i < tm rows, j < tn / 4. */
export function accDecl(tm: number, tn: number): string {
  const lines: string[] = [];
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn / 4; j++) lines.push(`var acc${i}_${j} = vec4<f32>(0.0);`);
  }
  return lines.join('\n');
}

/**
 * acc{i}_{j} += a(i) · b(j) for a tm×tn block: `a(i)` is a scalar WGSL expression for row i, `b(j)` a vec4
 * expression for columns 4j..4j+3.
 */
export function fmaBlock(tm: number, tn: number, a: (i: number) => string, b: (j: number) => string): string {
  const lines: string[] = [];
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn / 4; j++) {
      lines.push(`acc${i}_${j} = fma(vec4<f32>(${a(i)}), ${b(j)}, acc${i}_${j});`);
    }
  }
  return lines.join('\n');
}

/** `.x`, `.y`, `.z`, `.w` of component q (or '' for a scalar of width 1). */
export const lane = (q: number, width: number): string => (width === 1 ? '' : `[${q}]`);

export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
