// Types of scripts/layers.mjs for TypeScript callers.
export declare const LAYERS: Record<string, string[]>;
export declare function layerOf(file: string, srcRoot: string): string | null;
export declare function checkImport(
  file: string,
  specifier: string,
  typeOnly: boolean,
  srcRoot: string,
  workerEntry?: boolean,
): string | null;
export declare function findImports(
  source: string,
): { specifier: string; typeOnly: boolean; workerEntry: boolean }[];
