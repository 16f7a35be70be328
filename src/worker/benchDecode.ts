// `bench-decode` job (compute worker): times the real ingest path (sniff → demux → decode → resize → frame
// store) on the given files, WebCodecs or ffmpeg.wasm as each file needs, in a scratch frame-store database.
import { TubeletError } from '../shared/errors.ts';
import type { BenchDecodeReport, BenchDecodeRow, BenchDecodeSpec } from '../shared/protocol.ts';
import { ingestVideo } from '../data/decode/ingest.ts';
import { frameStore } from '../data/store/frames.ts';
import type { JobContext } from './jobs.ts';

const BENCH_DB = 'tubelet-bench-decode';
/** Quota is not what this measures: every estimate says there is room. */
const roomy = (): Promise<{ usage: number; quota: number }> => Promise.resolve({ usage: 0, quota: 2 ** 50 });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

export async function benchDecode(spec: BenchDecodeSpec, job: JobContext): Promise<BenchDecodeReport> {
  const reps = Math.max(1, spec.reps ?? 3);
  const store = frameStore(BENCH_DB);
  const rows: BenchDecodeRow[] = [];
  for (const [index, entry] of spec.files.entries()) {
    job.progress(entry.name, index, spec.files.length);
    const file = new File([entry.bytes.slice()], entry.name);
    const seconds: number[] = [];
    let last: Awaited<ReturnType<typeof ingestVideo>> | undefined;
    // Run 0 is a warm-up (loads ffmpeg.wasm, compiles decoders); each run stores the video afresh.
    for (let rep = 0; rep <= reps; rep++) {
      job.checkpoint();
      const id = `bench/${entry.name}`;
      await store.deleteVideo(id);
      const meta = { id, datasetId: 'bench', label: null, splits: [], name: entry.name };
      const options = {
        dbName: BENCH_DB,
        estimate: roomy,
        ffmpegFallback: true,
        ...(spec.shortSide === undefined ? {} : { shortSide: spec.shortSide }),
      };
      const t0 = performance.now();
      last = await ingestVideo(file, meta, options, undefined, job.signal);
      if (rep > 0) seconds.push((performance.now() - t0) / 1000);
      await store.deleteVideo(id);
    }
    if (!last) throw new TubeletError('INTERNAL', `bench decode: ${entry.name} was never ingested.`);
    const r = last.record;
    const s = median(seconds);
    rows.push({
      file: entry.name,
      container: r.container,
      codec: r.codec,
      decoder: r.container === 'avi' ? 'ffmpeg.wasm' : 'webcodecs',
      frames: r.frameCount,
      width: r.width,
      height: r.height,
      seconds: s,
      frames_per_s: s > 0 ? r.frameCount / s : 0,
    });
  }
  return { date: new Date().toISOString(), userAgent: navigator.userAgent, rows };
}
