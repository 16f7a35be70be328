// Command-line parsing for `tubelet` (Node): global options shared by every command.
import { parseArgs } from 'node:util';
import { defaultProfileDir, type AdapterChoice } from './chrome.ts';
import { UsageError } from './errors.ts';

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
}

export const INGEST_FORMATS = ['auto', 'ucf101', 'hmdb51', 'kinetics', 'ssv2', 'folders', 'list'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

export interface ParsedArgs {
  readonly command: string;
  readonly rest: string[];
  readonly options: GlobalOptions;
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
  const format = values.format ?? 'auto';
  if (!(INGEST_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${INGEST_FORMATS.join(', ')}, got '${format}'`);
  }
  const split = values.split === undefined ? undefined : intOption('split', values.split, 1, 1, 3);
  const [command = 'help', ...rest] = values.help ? ['help'] : positionals;
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
  datasets              list the stored datasets with per-class and per-split counts
  bench kernels         time our kernels against the stock TF.js ones (--quick, --filter OP)
  bench decode          ingest frames/s of H.264 MP4, VP9 WebM and Xvid AVI vs native ffmpeg (--quick)
  bench train           one epoch of a training preset (--preset NAME, default the toy one): clips/s and
                        the read / forward / backward split per step
  train                 train a model on a stored dataset in the studio's worker: --preset NAME (default
                        toy-actions-r3d-tiny) or --config FILE, [--model NAME] [--dataset NAME] [--resume RUN];
                        --json streams one JSON line per step/epoch, then the run summary
  demo                  the main job in one command: create Toy Actions if missing, train the
                        toy-actions-r3d-tiny preset with validation each epoch, print the run summary (--json)
  models                the model zoo with parameters and multiply-adds (GMACs) at each model's reference input
  toy                   create the built-in Toy Actions dataset (or find it complete) and summarise it
  help                  this text

Options:
  --json                print one JSON value on one line (doctor, selftest, bench, ingest, datasets, models, toy;
                        train and demo stream JSON lines, then the summary)
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
