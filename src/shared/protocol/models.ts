// Worker protocol types: the model zoo listing.
// Both threads import them (types and plain constants only), through ../protocol.ts, which adds the job unions
// and the WorkerApi.

/** The model zoo: every registry model with its parameters and multiply-adds at its reference input. */
export interface ModelsSpec {
  readonly kind: 'models';
}

export interface ModelSummary {
  readonly name: string;
  readonly family: string;
  readonly description: string;
  /** Classes of the head the counts are for (the published configuration's). */
  readonly numClasses: number;
  readonly params: number;
  /** Parameters of the published model, as its source states them. */
  readonly publishedParams: number;
  /** The step publishedParams was rounded to by its source (28.0 M: 100 000); 0 when it is exact. */
  readonly publishedParamsRounding: number;
  /** Multiply-adds of conv and linear layers for one clip of `input` (GFLOPs as torchvision quotes them = macs/1e9). */
  readonly macs: number;
  /** [N, T, H, W, C] */
  readonly input: readonly number[];
}
