// Command-line parsing for `tubelet` (Node): global options shared by every command.
import { parseArgs } from 'node:util';
import { defaultProfileDir, type AdapterChoice } from './chrome.ts';
import { UsageError } from './errors.ts';
import {
  EXPORT_FORMATS,
  WEIGHT_SOURCES,
  type ExportFormat,
  type WeightSource,
} from '../src/shared/modelIo.ts';

export interface GlobalOptions {
  readonly json: boolean;
  readonly profileDir: string;
  readonly adapter: AdapterChoice;
  readonly headed: boolean;
  readonly build: boolean;
  readonly verbose: boolean;
  readonly port: number;
  readonly seed: number;
  readonly size: number;
  readonly quick: boolean;
  /** datasets: list each dataset's videos too */
  readonly videos: boolean;
  readonly filter: string | undefined;
  /** ingest: layout (auto detects). */
  readonly format: IngestFormat;
  /** ingest: only videos in this split fold. */
  readonly split: 1 | 2 | 3 | undefined;
  readonly shortSide: number;
  readonly name: string | undefined;
  /** train: a TrainConfig JSON file, a preset, registry overrides, a run to resume */
  readonly config: string | undefined;
  readonly preset: string | undefined;
  readonly model: string | undefined;
  readonly dataset: string | undefined;
  readonly resume: string | undefined;
  /** import: zoo architecture ('r3d_18', 'r3d_18:tiny'), key names of the file, classifier size */
  readonly arch: string | undefined;
  readonly from: WeightSource | undefined;
  readonly numClasses: number | undefined;
  /** predict: classes to list per clip, and a safetensors file holding x: f32[N,3,T,H,W] */
  readonly topk: number;
  readonly inputTensor: string | undefined;
  /** export: bundle | safetensors | tfjs, and where to write (a file; a folder for tfjs) */
  readonly exportFormat: ExportFormat | undefined;
  readonly out: string | undefined;
  /** eval: protocol preset, custom views CLIPSxCROPS, averaging, split (test|val|N|all|tag), checkpoint/run */
  readonly protocol: string | undefined;
  readonly views: string | undefined;
  readonly average: string | undefined;
  readonly evalSplit: string | undefined;
  readonly checkpoint: string | undefined;
  readonly run: string | undefined;
  /** eval: custom clip length, frame interval and crop side (default the model's reference input) */
  readonly clipLen: number | undefined;
  readonly interval: number | undefined;
  readonly cropSize: number | undefined;
  /** explain: method, layer, class, a local video or a stored video's index */
  readonly method: string | undefined;
  readonly layer: string | undefined;
  readonly classIndex: number | undefined;
  readonly video: string | undefined;
  readonly index: number | undefined;
  /** zeroshot: prompt templates (--prompt, repeatable; --templates FILE) and frames per video */
  readonly prompts: readonly string[] | undefined;
  readonly templates: string | undefined;
  readonly frames: number | undefined;
}

export const INGEST_FORMATS = ['auto', 'ucf101', 'hmdb51', 'kinetics', 'ssv2', 'folders', 'list'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

export interface ParsedArgs {
  readonly command: string;
  readonly rest: string[];
  readonly options: GlobalOptions;
}

function optionalInt(name: string, text: string | undefined, min: number, max: number): number | undefined {
  return text === undefined ? undefined : intOption(name, text, min, min, max);
}

function intOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        profile: { type: 'string' },
        adapter: { type: 'string' },
        headed: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        port: { type: 'string' },
        seed: { type: 'string' },
        size: { type: 'string' },
        quick: { type: 'boolean', default: false },
        videos: { type: 'boolean', default: false },
        filter: { type: 'string' },
        format: { type: 'string' },
        split: { type: 'string' },
        'short-side': { type: 'string' },
        name: { type: 'string' },
        config: { type: 'string' },
        preset: { type: 'string' },
        model: { type: 'string' },
        dataset: { type: 'string' },
        resume: { type: 'string' },
        arch: { type: 'string' },
        from: { type: 'string' },
        'num-classes': { type: 'string' },
        topk: { type: 'string' },
        'input-tensor': { type: 'string' },
        out: { type: 'string' },
        protocol: { type: 'string' },
        views: { type: 'string' },
        average: { type: 'string' },
        checkpoint: { type: 'string' },
        run: { type: 'string' },
        'clip-len': { type: 'string' },
        interval: { type: 'string' },
        'crop-size': { type: 'string' },
        method: { type: 'string' },
        layer: { type: 'string' },
        class: { type: 'string' },
        video: { type: 'string' },
        index: { type: 'string' },
        prompt: { type: 'string', multiple: true },
        templates: { type: 'string' },
        frames: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const adapter = values.adapter ?? env.TUBELET_ADAPTER ?? 'auto';
  if (adapter !== 'auto' && adapter !== 'hardware' && adapter !== 'swiftshader') {
    throw new UsageError(`--adapter must be auto, hardware or swiftshader, got '${adapter}'`);
  }
  const [command = 'help', ...rest] = values.help ? ['help'] : positionals;
  const exporting = command === 'export';
  const format = exporting ? 'auto' : (values.format ?? 'auto');
  if (!(INGEST_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${INGEST_FORMATS.join(', ')}, got '${format}'`);
  }
  const exportFormat = exporting ? values.format : undefined;
  if (exportFormat !== undefined && !(EXPORT_FORMATS as readonly string[]).includes(exportFormat)) {
    throw new UsageError(
      `--format must be one of ${EXPORT_FORMATS.join(', ')} for export, got '${exportFormat}'`,
    );
  }
  if (values.from !== undefined && !(WEIGHT_SOURCES as readonly string[]).includes(values.from)) {
    throw new UsageError(`--from must be one of ${WEIGHT_SOURCES.join(', ')}, got '${values.from}'`);
  }
  const evalLike = command === 'eval' || command === 'zeroshot';
  const split =
    values.split === undefined || evalLike ? undefined : intOption('split', values.split, 1, 1, 3);
  return {
    command,
    rest,
    options: {
      json: values.json,
      profileDir: values.profile ?? env.TUBELET_PROFILE ?? defaultProfileDir(env),
      adapter,
      headed: values.headed,
      build: !values['no-build'],
      verbose: values.verbose,
      port: intOption('port', values.port, 4173, 0, 65535),
      seed: intOption('seed', values.seed, 20261121, 0, 2 ** 31 - 1),
      size: intOption('size', values.size, 256, 1, 2048),
      quick: values.quick,
      videos: values.videos,
      filter: values.filter,
      format: format as IngestFormat,
      split: split as 1 | 2 | 3 | undefined,
      shortSide: intOption('short-side', values['short-side'], 128, 16, 1024),
      name: values.name,
      config: values.config,
      preset: values.preset,
      model: values.model,
      dataset: values.dataset,
      resume: values.resume,
      arch: values.arch,
      from: values.from as WeightSource | undefined,
      numClasses:
        values['num-classes'] === undefined
          ? undefined
          : intOption('num-classes', values['num-classes'], 1, 1, 100_000),
      topk: intOption('topk', values.topk, 5, 1, 100_000),
      inputTensor: values['input-tensor'],
      exportFormat: exportFormat as ExportFormat | undefined,
      out: values.out,
      protocol: values.protocol,
      views: values.views,
      average: values.average,
      evalSplit: evalLike ? values.split : undefined,
      checkpoint: values.checkpoint,
      run: values.run,
      clipLen: optionalInt('clip-len', values['clip-len'], 1, 1024),
      interval: optionalInt('interval', values.interval, 1, 64),
      cropSize: optionalInt('crop-size', values['crop-size'], 8, 1024),
      method: values.method,
      layer: values.layer,
      classIndex: optionalInt('class', values.class, 0, 100_000),
      video: values.video,
      index: optionalInt('index', values.index, 0, 10_000_000),
      prompts: values.prompt,
      templates: values.templates,
      frames: optionalInt('frames', values.frames, 1, 64),
    },
  };
}

export const HELP = `tubelet — train, evaluate and inspect video action-recognition models on WebGPU

Usage: tubelet <command> [options]

Commands:
  serve                 build if needed and serve the studio on http://127.0.0.1:PORT
  doctor                browser version, GPU adapter, features, limits, codecs and storage
  selftest              run a WGSL kernel in the studio's worker and compare it with the CPU
  ingest PATH...         ingest a dataset folder (or files) into the studio's frame store
                        (--format auto|ucf101|hmdb51|kinetics|ssv2|folders|list, --split N,
                        --short-side N (default 128), --name NAME)
  datasets              list the stored datasets with per-class and per-split counts;
                        with --dataset ID, that dataset's videos with their stored frame and chunk counts;
                        with --videos, every dataset with its videos
  bench kernels         time our kernels against the stock TF.js ones (--quick, --filter OP)
  bench decode          ingest frames/s of H.264 MP4, VP9 WebM and Xvid AVI vs native ffmpeg (--quick)
  bench train           one epoch of a training preset (--preset NAME, default the toy one): clips/s and
                        the read / forward / backward split per step
  train                 train a model on a stored dataset in the studio's worker: --preset NAME (default
                        toy-actions-r3d-tiny) or --config FILE, [--model NAME] [--dataset NAME] [--resume RUN];
                        --json streams one JSON line per step/epoch, then the run summary
  demo                  the main job in one command: create Toy Actions if missing, train the
                        toy-actions-r3d-tiny preset with validation each epoch, print the run summary (--json)
  runs                  the stored training runs: status, epochs done, best and final val top-1, last checkpoint
  models                the model zoo with parameters and multiply-adds (GMACs) at each model's reference input
  import FILE           load .safetensors/.pth/.pt/.pyth weights (or a Tubelet bundle) into --arch NAME[:tiny]
                        (--from torchvision|pytorchvideo|mmaction2, --num-classes N) and store them as --name NAME;
                        prints the load report
  predict VIDEO         class scores of --model NAME (imported, or a zoo arch) for a video's centre clip, or for
                        --input-tensor FILE.safetensors (float32 x [N,3,T,H,W], normalised); --topk N (default 5)
  eval                  evaluate --model NAME on --dataset ID: [--protocol NAME | --views CLIPSxCROPS]
                        [--average score|prob|none|sum|max] [--split test|val|N|all]
                        [--clip-len T --interval I --crop-size C]; --json prints top1, top5,
                        mean_class_accuracy, confusion, per_class, per_video, protocol, seconds
  evals                 the stored evaluations (--json)
  zeroshot              CLIP zero-shot recognition of --dataset ID (BIKE): --protocol full|half (10 seeded
                        50 % class subsets, mean ± std), --prompt TEMPLATE (repeatable, "{}" = class name) or
                        --templates FILE, [--split test|all] [--frames N]; --model defaults to clip-tiny-random
                        (seeded random weights, labelled as such); --json prints top1, top5, mean_class_accuracy,
                        splits, mean, std, per_video
  export                write --model NAME as --format bundle|safetensors|tfjs to --out PATH (a folder for tfjs)
  explain               heat maps of --model NAME on --video FILE or --dataset ID [--index I]:
                        [--method gradcam|gradcam++|attention|rollout] [--layer L] [--class C]; writes one
                        overlay PNG per frame to --out DIR and prints the top-k and the files
  toy                   create the built-in Toy Actions dataset (or find it complete) and summarise it
  help                  this text

Options:
  --json                print one JSON value on one line (doctor, selftest, bench, ingest, datasets, runs,
                        models, toy, import, predict, export; train and demo stream JSON lines, then the summary)
  --quick               smaller shapes and fewer repetitions (bench)
  --filter TEXT         only benchmark rows whose op contains TEXT (bench)
  --adapter MODE        auto (hardware, else SwiftShader), hardware or swiftshader  [env TUBELET_ADAPTER]
  --profile DIR         browser profile kept between calls (IndexedDB lives here)  [env TUBELET_PROFILE]
  --port N              port for serve (default 4173; 0 picks a free one)
  --size N              selftest matrix size (default 256)
  --seed N              selftest seed
  --headed              show the browser window
  --no-build            use dist/ as it is
  -v, --verbose         forward the page's console to stderr

Environment: TUBELET_CHROME=/path/to/chrome picks the browser.
Exit codes: 0 success, 1 failure, 2 usage error.`;
