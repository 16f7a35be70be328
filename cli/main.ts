// The `tubelet` CLI (Node): parses the command line and runs a command against the studio.
import { HELP, parseCli, type ParsedArgs } from './args.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';
import { withStudio } from './session.ts';
import { doctor, formatDoctor } from './commands/doctor.ts';
import { formatSelfTest, selftest } from './commands/selftest.ts';
import { serve } from './commands/serve.ts';
import { benchKernels, formatBench } from './commands/bench.ts';
import {
  collectFiles,
  formatDatasets,
  formatDatasetsWithVideos,
  formatIngest,
  formatVideos,
  ingest,
  listDatasets,
  listDatasetsWithVideos,
  listVideos,
} from './commands/ingest.ts';
import { benchDecode, formatDecodeBench } from './commands/benchDecode.ts';
import { formatToy, toy } from './commands/toy.ts';
import { formatModels, listModels } from './commands/models.ts';
import {
  exportModelFiles,
  formatExport,
  formatImport,
  formatPredict,
  importWeights,
  localFile,
  predictClip,
} from './commands/modelIo.ts';
import { formatRecord, formatSummary, train, trainSpec } from './commands/train.ts';
import { formatRuns, listRuns, runsJson } from './commands/runs.ts';
import { evalJson, evalSpec, formatEval, formatEvals, listEvals, runEval } from './commands/eval.ts';
import { formatZeroShot, runZeroShot, zeroShotSpec } from './commands/zeroshot.ts';
import { DEFAULT_PRESET } from '../src/train/presets.ts';
import { benchTrain, formatTrainBench } from './commands/benchTrain.ts';
import { explainClip, formatExplain } from './commands/explain.ts';
import type { TrainRecord } from '../src/shared/training.ts';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function print(value: unknown, json: boolean, human: (v: never) => string): void {
  process.stdout.write(`${json ? JSON.stringify(value) : human(value as never)}\n`);
}

async function run({ command, rest, options }: ParsedArgs): Promise<number> {
  const positional = command === 'bench' || command === 'import' || command === 'predict' ? 1 : 0;
  const extra = command === 'ingest' ? [] : rest.slice(positional);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra.join(' ')}' for '${command}'`);
  const session = { ...options, log };
  // train and demo: with --json one line per record after a {"type":"run"} line naming the run (for --resume)
  const onRecord = (record: TrainRecord): void => {
    if (options.json) process.stdout.write(`${JSON.stringify(record)}\n`);
    else {
      const line = formatRecord(record);
      if (line) log(line);
    }
  };
  const onRun = (run: string): void => {
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'run', run })}\n`);
    else log(`run ${run} (resume it with --resume ${run})`);
  };
  switch (command) {
    case 'help':
      process.stdout.write(`${HELP}\n`);
      return EXIT_OK;
    case 'serve':
      return serve(options.port, options.build, log);
    case 'doctor': {
      const report = await withStudio(session, (s) => doctor(s, options.profileDir));
      print(report, options.json, formatDoctor);
      return EXIT_OK;
    }
    case 'selftest': {
      const result = await withStudio(session, (s) =>
        selftest(s, { size: options.size, seed: options.seed }, (event) => {
          if (event.type === 'progress' && !options.json)
            log(`  ${event.stage} (${event.done}/${event.total})`);
        }),
      );
      print(result, options.json, formatSelfTest);
      if (!result.ok)
        log('The GPU result does not match the CPU reference: this adapter or driver computes wrongly.');
      return result.ok ? EXIT_OK : EXIT_FAILURE;
    }
    case 'ingest': {
      const files = collectFiles(rest);
      let lastLog = 0;
      const result = await withStudio(session, (s) =>
        ingest(
          s,
          {
            files,
            format: options.format,
            split: options.split,
            shortSide: options.shortSide,
            name: options.name,
          },
          (event) => {
            if (event.type !== 'ingest-progress') return;
            if (event.failure)
              log(`  failed ${event.failure.file}: [${event.failure.code}] ${event.failure.message}`);
            const now = Date.now();
            if (options.json || now - lastLog < 1000) return;
            lastLog = now;
            log(
              `  ${event.videosDone}/${event.videosTotal} videos, ${event.frames} frames${event.currentFile ? ` · ${event.currentFile}` : ''}`,
            );
          },
        ),
      );
      print(result, options.json, formatIngest);
      return result.videos_ok > 0 || result.videos_failed === 0 ? EXIT_OK : EXIT_FAILURE;
    }
    case 'train': {
      const spec = trainSpec({
        configFile: options.config,
        preset: options.preset,
        model: options.model,
        dataset: options.dataset,
        resume: options.resume,
      });
      const summary = await withStudio(session, (s) => train(s, spec, onRecord, onRun));
      print(summary, options.json, formatSummary);
      return EXIT_OK;
    }
    case 'demo': {
      // The main job on the embedded default: Toy Actions (created when missing), the tiny preset, validation.
      const summary = await withStudio(session, async (s) => {
        const made = await toy(s, (event) => {
          if (event.type === 'progress' && event.stage !== 'check' && event.done % 48 === 0)
            log(`  toy actions: ${event.stage} ${event.done}/${event.total}`);
        });
        log(
          made.created > 0
            ? `Toy Actions created: ${made.videos} videos in ${made.seconds.toFixed(0)} s`
            : `Toy Actions found: ${made.videos} videos, ${made.classes} classes`,
        );
        log(`training ${DEFAULT_PRESET} on ${made.name}…`);
        return train(s, trainSpec({ preset: DEFAULT_PRESET, dataset: made.dataset }), onRecord, onRun);
      });
      print(summary, options.json, formatSummary);
      return EXIT_OK;
    }
    case 'runs': {
      const list = await withStudio(session, (s) => listRuns(s));
      process.stdout.write(`${options.json ? JSON.stringify(runsJson(list)) : formatRuns(list)}\n`);
      return EXIT_OK;
    }
    case 'eval': {
      const spec = evalSpec({
        model: options.model,
        dataset: options.dataset,
        protocol: options.protocol,
        views: options.views,
        average: options.average,
        split: options.evalSplit,
        checkpoint: options.checkpoint,
        run: options.run,
        clipLen: options.clipLen,
        interval: options.interval,
        cropSize: options.cropSize,
      });
      let lastLog = 0;
      const result = await withStudio(session, (s) =>
        runEval(s, spec, (event) => {
          if (event.type !== 'progress' || event.stage !== 'videos' || options.json) return;
          const now = Date.now();
          if (now - lastLog < 1000 && event.done < event.total) return;
          lastLog = now;
          log(`  ${event.done}/${event.total} videos`);
        }),
      );
      process.stdout.write(`${options.json ? JSON.stringify(evalJson(result)) : formatEval(result)}\n`);
      return EXIT_OK;
    }
    case 'zeroshot': {
      const spec = zeroShotSpec({
        model: options.model,
        dataset: options.dataset,
        protocol: options.protocol,
        split: options.evalSplit,
        prompts: options.prompts,
        templatesFile: options.templates,
        frames: options.frames,
        seed: undefined,
      });
      const result = await withStudio(session, (s) =>
        runZeroShot(s, spec, (event) => {
          if (event.type === 'progress' && !options.json)
            log(`  ${event.stage} ${event.done}/${event.total}`);
        }),
      );
      print(result, options.json, formatZeroShot);
      return EXIT_OK;
    }
    case 'evals': {
      const list = await withStudio(session, (s) => listEvals(s));
      print(list, options.json, formatEvals);
      return EXIT_OK;
    }
    case 'models': {
      const list = await withStudio(session, (s) => listModels(s));
      print(list, options.json, formatModels);
      return EXIT_OK;
    }
    case 'import': {
      const abs = localFile(rest[0], 'the weights file (tubelet import FILE --arch NAME --name NAME)');
      if (options.arch === undefined) throw new UsageError('import needs --arch NAME (see tubelet models)');
      if (options.name === undefined)
        throw new UsageError('import needs --name NAME to store the model under');
      const { arch, name } = options;
      const result = await withStudio({ ...session, localFiles: [abs] }, (s) =>
        importWeights(s, {
          fileName: rest[0] ?? abs,
          arch,
          name,
          from: options.from,
          numClasses: options.numClasses,
        }),
      );
      print(result, options.json, formatImport);
      return EXIT_OK;
    }
    case 'predict': {
      if (options.model === undefined) throw new UsageError('predict needs --model NAME');
      if ((rest[0] === undefined) === (options.inputTensor === undefined))
        throw new UsageError('predict needs a video or --input-tensor FILE.safetensors (one of them)');
      const { model } = options;
      const input = options.inputTensor === undefined ? 'video' : 'tensor';
      const named = options.inputTensor ?? rest[0];
      const abs = localFile(named, input === 'video' ? 'the video' : '--input-tensor');
      const result = await withStudio({ ...session, localFiles: [abs] }, (s) =>
        predictClip(s, { model, input, fileName: named ?? abs, topk: options.topk }),
      );
      print(result, options.json, formatPredict);
      return EXIT_OK;
    }
    case 'explain': {
      if (options.model === undefined) throw new UsageError('explain needs --model NAME');
      if (options.out === undefined) throw new UsageError('explain needs --out DIR');
      const { model, out } = options;
      const localFiles = options.video === undefined ? [] : [localFile(options.video, '--video')];
      const request = { ...options, model };
      const result = await withStudio({ ...session, localFiles }, (s) => explainClip(s, request, out));
      print(result, options.json, formatExplain);
      return EXIT_OK;
    }
    case 'export': {
      if (options.model === undefined) throw new UsageError('export needs --model NAME');
      if (options.exportFormat === undefined)
        throw new UsageError('export needs --format bundle|safetensors|tfjs');
      if (options.out === undefined) throw new UsageError('export needs --out PATH');
      const { model, exportFormat, out } = options;
      const result = await withStudio(session, (s) => exportModelFiles(s, model, exportFormat, out));
      print(result, options.json, formatExport);
      return EXIT_OK;
    }
    case 'datasets': {
      const id = options.dataset;
      if (id !== undefined) {
        const videos = await withStudio(session, (s) => listVideos(s, id));
        print(videos, options.json, formatVideos);
        return EXIT_OK;
      }
      if (options.videos) {
        const all = await withStudio(session, (s) => listDatasetsWithVideos(s));
        print(all, options.json, formatDatasetsWithVideos);
        return EXIT_OK;
      }
      const list = await withStudio(session, (s) => listDatasets(s));
      print(list, options.json, formatDatasets);
      return EXIT_OK;
    }
    case 'bench': {
      if (rest[0] === 'decode') {
        const result = await withStudio(session, async (s) => ({
          mode: s.mode,
          result: await benchDecode(s, { quick: options.quick }, (event) => {
            if (event.type === 'progress') log(`  [${event.done + 1}/${event.total}] ${event.stage}`);
          }),
        }));
        if (options.json) process.stdout.write(`${JSON.stringify(result.result)}\n`);
        else process.stdout.write(`${formatDecodeBench(result.result, result.mode)}\n`);
        if (result.result.offOriginRequests.length > 0) {
          log(`requests left the origin: ${result.result.offOriginRequests.join(', ')}`);
          return EXIT_FAILURE;
        }
        return EXIT_OK;
      }
      if (rest[0] === 'train') {
        const result = await withStudio(session, async (s) => ({
          mode: s.mode,
          result: await benchTrain(s, options.preset ?? DEFAULT_PRESET, (record) => {
            if (options.json) return;
            const line = formatRecord(record);
            if (line) log(line);
          }),
        }));
        if (options.json) process.stdout.write(`${JSON.stringify(result.result)}\n`);
        else process.stdout.write(`${formatTrainBench(result.result, result.mode)}\n`);
        return EXIT_OK;
      }
      if (rest[0] !== 'kernels')
        throw new UsageError(
          `'bench' needs a suite: tubelet bench kernels | tubelet bench decode | tubelet bench train`,
        );
      const report = await withStudio(session, (s) =>
        benchKernels(s, { quick: options.quick, filter: options.filter }, (event) => {
          if (event.type === 'progress') log(`  [${event.done + 1}/${event.total}] ${event.stage}`);
        }),
      );
      if (options.json) process.stdout.write(`${JSON.stringify(report.rows)}\n`);
      else process.stdout.write(`${formatBench(report)}\n`);
      return EXIT_OK;
    }
    case 'toy': {
      const result = await withStudio(session, (s) =>
        toy(s, (event) => {
          if (event.type === 'progress' && !options.json && event.stage !== 'check' && event.done % 24 === 0)
            log(`  ${event.stage} ${event.done}/${event.total}`);
        }),
      );
      print(result, options.json, formatToy);
      return EXIT_OK;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(parseCli(argv));
  } catch (error) {
    if (error instanceof CliError) {
      log(`tubelet: ${error.message}`);
      return error.exitCode;
    }
    log(
      `tubelet: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}
