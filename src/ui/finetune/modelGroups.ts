// Groups the Finetune model select's names by family, full models before their tiny presets (pure, main thread).

export interface ModelOption {
  readonly value: string;
  readonly label: string;
}

export interface ModelGroup {
  readonly family: string;
  readonly options: readonly ModelOption[];
}

/** Families in first-seen order; within each, full-size models then `name:tiny` labelled "name (tiny preset)". */
export function groupModels(
  models: readonly string[],
  families: Readonly<Record<string, string>> = {},
): ModelGroup[] {
  const groups = new Map<string, { full: ModelOption[]; tiny: ModelOption[] }>();
  for (const value of models) {
    const family = families[value] ?? 'Other';
    const group = groups.get(family) ?? { full: [], tiny: [] };
    groups.set(family, group);
    if (value.endsWith(':tiny')) group.tiny.push({ value, label: `${value.slice(0, -5)} (tiny preset)` });
    else group.full.push({ value, label: value });
  }
  return [...groups].map(([family, g]) => ({ family, options: [...g.full, ...g.tiny] }));
}
