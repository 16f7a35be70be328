// The model zoo's registry (compute worker): registry name → builder, the published parameter count, and the
// input each model was published with (for FLOPs). Builders take { numClasses, widthMultiplier?, preset?, seed? }.
import { buildC3D } from './c3d.ts';
import { buildS3D } from './s3d.ts';
import { buildToyAvg2d, buildToyR3d } from './toy.ts';
import { buildVideoResNet } from './videoResnet.ts';
import { buildResNet3dModel, buildResNet3dRecognizer, I3D_NL_SPEC } from './resnet3dModels.ts';
import { buildCsn } from './csn.ts';
import { buildSlowFast } from './slowfast.ts';
import type { ModelConfig, ZooModel } from './zooModel.ts';
import { buildX3D } from './x3d.ts';
import { buildTSM, buildTSN } from './tsn.ts';
import { buildTRN } from './trn.ts';
import { buildTANet } from './tanet.ts';
import { buildTIN } from './tin.ts';
import { buildSRTG } from './srtg.ts';
import { withoutInitialisation } from '../nn/init.ts';
import { buildMViT } from './mvit.ts';
import { buildTimeSformer } from './timesformer.ts';
import { buildSwin3d } from './swin3d.ts';
import { buildVideoMAE } from './videomae.ts';
import { buildViViT } from './vivit.ts';
import { buildUniFormerV2 } from './uniformerv2.ts';

export interface ZooEntry {
  readonly name: string;
  readonly family: string;
  readonly description: string;
  readonly build: (config: ModelConfig) => ZooModel;
  /** parameters of the published model (publishedClasses classes), as its source states them */
  readonly publishedParams: number;
  /** the step publishedParams was rounded to where the source states it rounded (28.0 M: 100 000); default exact */
  readonly publishedParamsRounding?: number;
  /** classes of the published model; default 400 (Kinetics-400) */
  readonly publishedClasses?: number;
  /** the [T, H, W] of one clip its FLOPs are usually quoted for */
  readonly referenceInput: readonly [number, number, number];
  /** the smallest [T, H, W] the full architecture accepts in our tests, and the tiny preset's test input */
  readonly tinyInput: readonly [number, number, number];
  /** tiny-preset parameters that get no gradient by construction (the published model has the same dead path) */
  readonly noGradient?: readonly string[];
  /** another entry whose tiny preset is the same network: the GPU suite runs the tiny preset once, for that one */
  readonly tinySameAs?: string;
}

/** CSN tiny clips: 16 frames, so that with temporal strides (1,2,2,2) res4's training-mode BNs normalise 32 values
 *  per channel; at 8 frames (16 values) float32 rounding alone moves some gradients by 2e-3 (measured on the cpu
 *  backend with a 1e-6 input perturbation), beyond what the webgpu-vs-cpu test tolerates. */
const CSN_TINY_INPUT = [16, 32, 32] as const;

export const ZOO: readonly ZooEntry[] = [
  {
    name: 'r3d_18',
    family: 'torchvision VideoResNet',
    description: 'R3D-18: 3×3×3 convolutions throughout (Tran et al. 2018)',
    build: (c) => buildVideoResNet('r3d_18', c),
    publishedParams: 33_371_472,
    referenceInput: [16, 112, 112],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'mc3_18',
    family: 'torchvision VideoResNet',
    description: 'MC3-18: 3-D convolutions in the first stages, 2-D (1×3×3) in the later ones',
    build: (c) => buildVideoResNet('mc3_18', c),
    publishedParams: 11_695_440,
    referenceInput: [16, 112, 112],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'r2plus1d_18',
    family: 'torchvision VideoResNet',
    description: 'R(2+1)D-18: each 3×3×3 conv factored into 1×3×3 then 3×1×1 with the mid-plane formula',
    build: (c) => buildVideoResNet('r2plus1d_18', c),
    publishedParams: 31_505_325,
    referenceInput: [16, 112, 112],
    tinyInput: [4, 32, 32],
  },
  {
    name: 's3d',
    family: 'torchvision S3D',
    description: 'S3D: separable 3-D Inception (Xie et al. 2018)',
    build: buildS3D,
    publishedParams: 8_320_048,
    referenceInput: [16, 224, 224],
    tinyInput: [8, 32, 32],
  },
  {
    name: 'c3d',
    family: 'MMAction2 C3D',
    description: 'C3D: eight 3×3×3 convs and two 4096-wide FCs (Tran et al. 2015), MMAction2 names',
    build: buildC3D,
    publishedParams: 78_409_573, // MMAction2's c3d UCF101 config (101 classes): 78.4 M
    publishedClasses: 101,
    referenceInput: [16, 112, 112],
    tinyInput: [16, 32, 32],
  },
  // zoo3: X3D, TSN/TSM, SRTG (keep this block contiguous)
  ...(
    [
      ['x3d_xs', 'X3D-XS (4×160²)', 3_790_000, [4, 160, 160]],
      ['x3d_s', 'X3D-S (13×160²)', 3_790_000, [13, 160, 160]],
      ['x3d_m', 'X3D-M (16×224²)', 3_790_000, [16, 224, 224]],
      ['x3d_l', 'X3D-L (16×312², γ_d 5)', 6_150_000, [16, 312, 312]],
    ] as const
  ).map(([name, what, params, input]): ZooEntry => ({
    name,
    family: 'MMAction2 X3D',
    description: `${what}: depthwise 3×3×3 bottlenecks, SE every other block, swish (Feichtenhofer 2020)`,
    build: (c) => buildX3D(name, c),
    publishedParams: params, // PyTorchVideo's model zoo table (3.79 M, 6.15 M at 400 classes)
    publishedParamsRounding: 10_000, // the table rounds to 0.01 M
    referenceInput: input,
    tinyInput: [4, 32, 32],
  })),
  {
    name: 'tsn_r50',
    family: 'MMAction2 TSN',
    description: 'TSN-R50: 2-D ResNet-50 on each of T segments, average consensus (Wang et al. 2016)',
    build: buildTSN,
    publishedParams: 25_557_032, // torchvision resnet50 (1000 classes): the same network with one fc
    publishedClasses: 1000,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'tsm_r50',
    family: 'MMAction2 TSM',
    description:
      'TSM-R50: ResNet-50, 1/8 of the channels shifted each way in time before each conv1 (Lin et al. 2019)',
    build: buildTSM,
    publishedParams: 25_557_032, // the shift has no parameters: torchvision resnet50 at 1000 classes
    publishedClasses: 1000,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'trn_r50',
    family: 'MMAction2 TRN',
    description:
      'TRN-R50: ResNet-50 per segment, multi-scale temporal relation head over 8 segments (Zhou 2018)',
    build: buildTRN,
    // trn_r50_1x1x8_50e_sthv1_rgb (174 classes): MMAction2's TRN README states no count; this is the count of its
    // published layout (fixtures/published_keys.py trn_r50): resnet50 trunk 23 508 032 + fc_cls 524 544 + fusion
    // MLPs 2 608 578
    publishedParams: 26_641_154,
    publishedClasses: 174,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'tanet_r50',
    family: 'MMAction2 TANet',
    description:
      'TANet-R50: ResNet-50 with a temporal adaptive module (local gate + global adaptive kernel) in each block',
    build: buildTANet,
    publishedParams: 25_590_320, // MMAction2 tanet metafile (tanet_r50_dense_1x1x8_100e_kinetics400_rgb)
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'tin_r50',
    family: 'MMAction2 TIN',
    description:
      'TIN-R50: ResNet-50, a quarter of each block input shifted in time by learned, interpolated offsets',
    build: buildTIN,
    // MMAction2 tin metafile (tin_kinetics400-pretrained-tsm-r50_1x1x8-50e_kinetics400-rgb; sthv1 at 174 classes:
    // 23 895 566, which the same layout gives too)
    publishedParams: 24_358_640,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  ...(
    [
      ['srtg_r3d_18', 'R3D-18', 44_543_312],
      ['srtg_r3d_34', 'R3D-34', 83_861_072],
    ] as const
  ).map(([name, base, params]): ZooEntry => ({
    name,
    family: 'SRTG (Stergiou & Poppe)',
    description: `SRTG ${base}: each block's output scaled by a 2-layer LSTM over its per-frame pooled features`,
    build: (c) => buildSRTG(name, c),
    // the reference's srtg builders (network/srtg_resnet.py): torchvision VideoResNet params + 2-layer
    // nn.LSTM(planes, planes) per block, both counted by Debian's PyTorch (r3d_18 33 371 472 + 11 171 840)
    publishedParams: params,
    referenceInput: [16, 112, 112],
    tinyInput: [16, 32, 32], // ≥ 2 frames reach layer4, so every LSTM's recurrent weights get gradients
  })),
  // ── MMAction2 ResNet3D family, CSN and SlowFast (names and shapes of MMAction2 state_dicts) ──
  {
    name: 'slowonly_r18',
    family: 'MMAction2 ResNet3d',
    description:
      'SlowOnly-R18 (the Slow-R18 of FGKVMemPred): 2-D stem and res2/res3, 3×3×3 convs in res4/res5',
    build: (c) => buildResNet3dModel('slowonly_r18', c),
    // no published figure: counted by hand from MMAction2's ResNet3d (BasicBlock3d, inflate (0,0,1,1))
    publishedParams: 32_025_552,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'slowonly_r50',
    family: 'MMAction2 ResNet3d',
    description: 'SlowOnly-R50 (slowonly_r50_8x8): 1×7×7 stem, 3×1×1 temporal convs in res4/res5 only',
    build: (c) => buildResNet3dModel('slowonly_r50', c),
    publishedParams: 32_454_096, // MMAction2 slowonly metafile (slowonly_r50_8x8x1_256e_kinetics400_rgb)
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'c2d_r50',
    family: 'MMAction2 ResNet3d',
    description:
      'C2D-R50: a 2-D ResNet-50 per frame with one temporal max pool after res2 (nn.Conv2d weights)',
    build: (c) => buildResNet3dModel('c2d_r50', c),
    publishedParams: 24_300_000, // MMAction2 c2d metafile: 24.3M
    publishedParamsRounding: 100_000,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  {
    name: 'i3d_r50',
    family: 'MMAction2 ResNet3d',
    description: 'I3D-R50: 5×7×7 stem, 3×1×1-inflated bottlenecks in the (1,1,1)/(1,0,1,0)/… pattern',
    build: (c) => buildResNet3dModel('i3d_r50', c),
    publishedParams: 28_000_000, // MMAction2 i3d metafile: 28.0M
    publishedParamsRounding: 100_000,
    referenceInput: [32, 224, 224],
    tinyInput: [8, 32, 32],
  },
  {
    name: 'i3d_r50_nl',
    family: 'MMAction2 ResNet3d',
    description: 'I3D-R50 with embedded-Gaussian non-local blocks (5 of them, in res3 and res4)',
    build: (c) => buildResNet3dRecognizer('i3d_r50_nl', I3D_NL_SPEC, c),
    publishedParams: 35_400_000, // MMAction2 i3d README (nl-embedded-gaussian 32x2x1): 35.4M
    publishedParamsRounding: 100_000,
    referenceInput: [32, 224, 224],
    // 16 frames: res4's non-local block then attends over 2 positions (over 1, softmax ≡ 1 and θ, φ get no gradient)
    tinyInput: [16, 32, 32],
  },
  {
    name: 'ircsn_r50',
    family: 'MMAction2 ResNet3dCSN',
    description: 'ir-CSN-50: bottlenecks whose 3×3×3 conv is depthwise (interaction-reduced)',
    build: (c) => buildCsn('ircsn_r50', c),
    publishedParams: 13_131_152, // MMAction2 csn metafile (ircsn_ig65m_pretrained_bnfrozen_r50_32x2x1)
    referenceInput: [32, 224, 224],
    tinyInput: CSN_TINY_INPUT,
  },
  {
    name: 'ipcsn_r50',
    family: 'MMAction2 ResNet3dCSN',
    description:
      'ip-CSN-50: a 1×1×1 conv then a depthwise 3×3×3 conv in each bottleneck (interaction-preserved)',
    build: (c) => buildCsn('ipcsn_r50', c),
    // no published figure: ir-CSN-50's 13 131 152 plus each bottleneck's 1×1×1 conv and BN (planes² + 2·planes)
    publishedParams: 14_396_176,
    referenceInput: [32, 224, 224],
    tinyInput: CSN_TINY_INPUT,
  },
  {
    name: 'ircsn_r152',
    family: 'MMAction2 ResNet3dCSN',
    description: 'ir-CSN-152: depthwise 3×3×3 bottlenecks, (3, 8, 36, 3) blocks',
    build: (c) => buildCsn('ircsn_r152', c),
    publishedParams: 29_703_568, // MMAction2 csn metafile (ircsn_ig65m_pretrained_r152_32x2x1)
    referenceInput: [32, 224, 224],
    tinyInput: CSN_TINY_INPUT,
  },
  {
    name: 'ipcsn_r152',
    family: 'MMAction2 ResNet3dCSN',
    description: 'ip-CSN-152: 1×1×1 + depthwise 3×3×3 bottlenecks, (3, 8, 36, 3) blocks',
    build: (c) => buildCsn('ipcsn_r152', c),
    publishedParams: 33_016_592, // MMAction2 csn metafile (ipcsn_bnfrozen_r152_32x2x1_180e)
    referenceInput: [32, 224, 224],
    tinyInput: CSN_TINY_INPUT,
  },
  {
    name: 'slowfast_r50_4x16',
    family: 'MMAction2 ResNet3dSlowFast',
    description: 'SlowFast-R50 4×16: τ=8, α=8, β=1/8, 5×1×1 lateral convs; one 32-frame clip in',
    build: (c) => buildSlowFast('slowfast_r50_4x16', c),
    publishedParams: 34_479_288, // MMAction2 slowfast metafile (slowfast_r50_4x16x1_256e_kinetics400_rgb)
    referenceInput: [32, 224, 224],
    tinyInput: [16, 32, 32],
  },
  {
    name: 'slowfast_r50_8x8',
    family: 'MMAction2 ResNet3dSlowFast',
    description: 'SlowFast-R50 8×8: τ=4, α=4, β=1/8, 7×1×1 lateral convs; one 32-frame clip in',
    build: (c) => buildSlowFast('slowfast_r50_8x8', c),
    publishedParams: 34_565_560, // MMAction2 slowfast metafile (slowfast_r50_8x8x1_256e_kinetics400_rgb)
    referenceInput: [32, 224, 224],
    tinyInput: [8, 32, 32],
  },
  // ── end of the MMAction2 ResNet3D / CSN / SlowFast block ──
  // ── mvit: torchvision MViT (keep this block contiguous) ──
  {
    name: 'mvit_v2_s',
    family: 'torchvision MViT',
    description:
      'MViTv2-S: pooling attention (Conv3d + LayerNorm pools), decomposed relative positions, residual pooling',
    build: (c) => buildMViT('mvit_v2_s', c),
    publishedParams: 34_537_744, // torchvision MViT_V2_S_Weights meta num_params
    referenceInput: [16, 224, 224],
    tinyInput: [4, 32, 32],
    // only the cls token of the last block reaches the head, and rel-pos and the q-pool conv touch only the
    // other tokens (torchvision's blocks.15 alike)
    noGradient: ['rel_pos_h', 'rel_pos_w', 'rel_pos_t', 'pool_q.pool.weight'].map(
      (p) => `blocks.3.attn.${p}`,
    ),
  },
  {
    name: 'mvit_v1_b',
    family: 'torchvision MViT',
    description: 'MViTv1-B: pooling attention with absolute space-time position tables (Fan et al. 2021)',
    build: (c) => buildMViT('mvit_v1_b', c),
    publishedParams: 36_610_672, // torchvision MViT_V1_B_Weights meta num_params
    referenceInput: [16, 224, 224],
    tinyInput: [4, 32, 32],
  },
  // ── end of the mvit block ──
  // ── tsf: TimeSformer / Video Swin (keep this block contiguous) ──
  {
    name: 'timesformer_b16',
    family: 'TimeSformer',
    description:
      'TimeSformer-B/16 8×224: ViT-B with divided space-time attention (temporal then spatial per block)',
    build: buildTimeSformer,
    // no exact published figure (the paper's table: 121.4 M): counted from vit.py's module structure by its twin
    // (fixtures/torch_timesformer.py keys): ViT-B/16 at 400 classes + 12 × temporal attention + time_embed
    publishedParams: 121_566_352,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 16, 16],
  },
  {
    name: 'swin3d_t',
    family: 'MMAction2 Video Swin',
    description:
      'Video Swin-T: 3-D shifted-window attention (8×7×7) with relative position bias, patch merging',
    build: buildSwin3d,
    publishedParams: 28_200_000, // MMAction2 swin metafile (swin-tiny, Kinetics-400): 28.2M
    publishedParamsRounding: 100_000,
    referenceInput: [32, 224, 224],
    tinyInput: [4, 32, 32],
  },
  // ── end of the tsf block ──
  // ── vit3: VideoMAE / VideoMAE V2 ViT and ViViT (keep this block contiguous) ──
  ...(
    [
      // ViT-S 22M and ViT-B 87M as the VideoMAE (V2) model tables round them; for ViT-L (quoted as 305M) the exact
      // count of vit_mae.py's structure at 400 classes (304 270 736, the PyTorch twin's; 304.3M does not round to 305M)
      ['videomae_vit_s', 'ViT-S/16', 22_000_000, 1_000_000],
      ['videomae_vit_b', 'ViT-B/16', 87_000_000, 1_000_000],
      ['videomae_vit_l', 'ViT-L/16', 304_270_736, 0],
    ] as const
  ).map(([name, what, params, rounding]): ZooEntry => ({
    name,
    family: 'MMAction2 VideoMAE ViT',
    description: `VideoMAE / VideoMAE V2 ${what}: 2×16×16 tubelets, sinusoidal positions, q/v-biased attention, mean pooling + fc_norm`,
    build: (c) => buildVideoMAE(name, c),
    publishedParams: params,
    publishedParamsRounding: rounding,
    referenceInput: [16, 224, 224],
    tinyInput: [4, 32, 32],
    ...(name === 'videomae_vit_b' ? {} : { tinySameAs: 'videomae_vit_b' }),
  })),
  {
    name: 'vivit_b',
    family: 'ViViT (VideoTransformer-pytorch)',
    description:
      'ViViT-B/16×2 factorised encoder (model 2): tubelet embedding, 12 spatial then 4 temporal layers, cls token',
    build: buildViViT,
    // no published figure: the count of its published module structure (fixtures/torch_vit_video.py vivit, 400 classes)
    publishedParams: 115_054_480,
    referenceInput: [16, 224, 224],
    tinyInput: [4, 32, 32],
  },
  // ── end of the vit3 block ──
  // ── uni13: UniFormerV2 (keep this block contiguous) ──
  {
    name: 'uniformerv2_b16',
    family: 'MMAction2 UniFormerV2',
    description:
      'UniFormerV2-B/16 8×224: CLIP ViT-B/16 local UniBlocks, dynamic position encoding and 4 global UniBlocks on a temporal class token',
    build: (c) => buildUniFormerV2(c),
    // MMAction2 uniformerv2 README (K400, B/16 u8): 115M; the twin's exact count (fixtures/torch_uniformerv2.py
    // keys) is 114 552 208 at 400 classes
    publishedParams: 115_000_000,
    publishedParamsRounding: 1_000_000,
    referenceInput: [8, 224, 224],
    tinyInput: [4, 32, 32],
  },
  ...(
    [
      ['swin3d_s', 'S', 49_800_000, 'depths 2-2-18-2'],
      ['swin3d_b', 'B', 88_000_000, 'width 128, depths 2-2-18-2'],
    ] as const
  ).map(([name, size, params, what]): ZooEntry => ({
    name,
    family: 'MMAction2 Video Swin',
    description: `Video Swin-${size} (${what}): 3-D shifted-window attention (8×7×7) with relative position bias, patch merging`,
    build: (c) => buildSwin3d(c, {}, name),
    publishedParams: params, // MMAction2 swin metafile (Kinetics-400)
    publishedParamsRounding: 100_000,
    referenceInput: [32, 224, 224],
    tinyInput: [4, 32, 32],
    tinySameAs: 'swin3d_t',
  })),
  // ── end of the uni13 block ──
  {
    name: 'toy_r3d',
    family: 'Tubelet toy',
    description: 'Toy R3D: three 3×3×3 conv-BN-ReLU blocks and global max pooling, for Toy Actions',
    build: buildToyR3d,
    publishedParams: 18_304, // ours: its PyTorch twin in scripts/toy-learnability/train.py, 8 classes
    publishedClasses: 8,
    referenceInput: [8, 28, 28],
    tinyInput: [4, 16, 16],
  },
  {
    name: 'toy_avg2d',
    family: 'Tubelet toy',
    description:
      'Frame-averaging 2-D baseline: the clip averaged over time, then three 3×3 conv-BN-ReLU blocks',
    build: buildToyAvg2d,
    publishedParams: 6_352, // ours: its PyTorch twin in scripts/toy-learnability/train.py, 8 classes
    publishedClasses: 8,
    referenceInput: [8, 28, 28],
    tinyInput: [4, 16, 16],
  },
];

/** The entries whose tiny presets are distinct networks (the GPU suite's list). */
export const ZOO_DISTINCT_TINY: readonly ZooEntry[] = ZOO.filter((e) => e.tinySameAs === undefined);

export function zooEntry(name: string): ZooEntry {
  const entry = ZOO.find((e) => e.name === name);
  if (!entry) {
    throw new RangeError(`unknown model '${name}'; the zoo has ${ZOO.map((e) => e.name).join(', ')}`);
  }
  return entry;
}

/** Builds a registry model. config.numClasses must be a positive integer. */
export function buildModel(name: string, config: ModelConfig): ZooModel {
  if (!Number.isInteger(config.numClasses) || config.numClasses < 1) {
    throw new RangeError(`${name}: numClasses must be a positive integer, got ${config.numClasses}`);
  }
  if (config.widthMultiplier !== undefined && !(config.widthMultiplier > 0)) {
    throw new RangeError(`${name}: widthMultiplier must be > 0, got ${config.widthMultiplier}`);
  }
  return zooEntry(name).build(config);
}

export interface ModelInfo {
  readonly name: string;
  readonly family: string;
  readonly description: string;
  readonly params: number;
  /** the registry's published count and the step it was rounded to (0: exact) */
  readonly publishedParams: number;
  readonly publishedParamsRounding: number;
  /** multiply-adds of conv and linear layers for one clip of `input` (fvcore/ptflops "MACs"; BN, ReLU, pooling
   *  not counted). GFLOPs as torchvision quotes them = macs / 1e9. */
  readonly macs: number;
  /** [N, T, H, W, C] the MACs are for */
  readonly input: readonly [number, number, number, number, number];
}

/** Builds the model, measures it, disposes it. */
export function modelInfo(
  name: string,
  config: ModelConfig,
  input?: readonly [number, number, number],
): ModelInfo {
  const entry = zooEntry(name);
  // counts only: zeros instead of random weights (the RNG draws dominate building the large models)
  const model = withoutInitialisation(() => buildModel(name, config));
  try {
    const [t, h, w] = input ?? (config.preset === 'tiny' ? entry.tinyInput : entry.referenceInput);
    const shape = [1, t, h, w, 3] as const;
    return {
      name,
      family: entry.family,
      description: entry.description,
      params: model.paramCount(),
      publishedParams: entry.publishedParams,
      publishedParamsRounding: entry.publishedParamsRounding ?? 0,
      macs: model.macs(shape),
      input: shape,
    };
  } finally {
    model.dispose();
  }
}
