// Job specs and results of model import, prediction, export and inspection (both threads; types and constants only).
// Weight names are PyTorch state_dict keys; shapes in reports are PyTorch layouts.

export const WEIGHT_SOURCES = ['torchvision', 'pytorchvideo', 'mmaction2'] as const;
export type WeightSource = (typeof WEIGHT_SOURCES)[number];

export const EXPORT_FORMATS = ['bundle', 'safetensors', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ModelLoadReport {
  readonly loaded: number;
  /** in the model, not in the file: kept as initialised */
  readonly missing: readonly string[];
  /** in the file (its own names), not in the model: ignored */
  readonly unexpected: readonly string[];
  readonly mismatched: readonly {
    readonly key: string;
    readonly expected: readonly number[];
    readonly got: readonly number[];
  }[];
  /** what was unwrapped from a training checkpoint ('took state_dict, stripped module., …') */
  readonly unwrap: string;
}

/** Imports a weights file (safetensors or torch.save zip) into a registry architecture, stored under `name`. */
export interface ImportModelSpec {
  readonly kind: 'import-model';
  readonly file: Blob;
  readonly fileName: string;
  /** registry name, optionally ':tiny' for the tiny preset (e.g. 'r3d_18:tiny') */
  readonly arch: string;
  /** key names of the file; default torchvision */
  readonly from?: WeightSource;
  /** classifier size; default the file's classifier size, else the published one */
  readonly numClasses?: number;
  readonly name: string;
}

export interface ImportModelResult {
  readonly name: string;
  readonly arch: string;
  readonly numClasses: number;
  readonly params: number;
  readonly report: ModelLoadReport;
}

/** An input clip f32[N,C,T,H,W] (PyTorch layout), already normalised. */
export interface InputTensor {
  readonly shape: readonly [number, number, number, number, number];
  readonly data: Float32Array;
}

export interface PredictSpec {
  readonly kind: 'predict';
  /** a stored (imported) model, else a registry arch ('r3d_18', 'r3d_18:tiny') with its seeded initialisation */
  readonly model: string;
  readonly input:
    | {
        readonly type: 'tensor';
        readonly tensor?: InputTensor;
        readonly file?: Blob;
        readonly fileName: string;
      }
    | { readonly type: 'video'; readonly file: Blob; readonly fileName: string };
  readonly topk: number;
}

export interface PredictResult {
  readonly model: string;
  /** [N][numClasses] */
  readonly logits: number[][];
  readonly probabilities: number[][];
  readonly topk: { readonly index: number; readonly label: string | null; readonly prob: number }[][];
}

export interface ExportModelSpec {
  readonly kind: 'export-model';
  readonly model: string;
  readonly format: ExportFormat;
}

export interface ExportedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface ExportModelResult {
  readonly model: string;
  readonly format: ExportFormat;
  readonly files: readonly ExportedFile[];
}

export interface StoredModelSummary {
  readonly name: string;
  readonly arch: string;
  readonly numClasses: number;
  readonly params: number;
  readonly source: WeightSource;
  readonly fileName: string;
  readonly bytes: number;
  readonly createdAt: number;
  readonly report: ModelLoadReport;
}

export interface ListStoredModelsSpec {
  readonly kind: 'list-stored-models';
}

export interface ModelLayersSpec {
  readonly kind: 'model-layers';
  readonly model: string;
}

export interface LayerRow {
  readonly name: string;
  readonly kind: string;
  /** [N, T, H, W, C] (or [N, C]) for one clip of the model's reference input */
  readonly outputShape: readonly number[];
  /** trainable scalars of this layer alone */
  readonly params: number;
}
