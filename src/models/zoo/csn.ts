// MMAction2's channel-separated networks (compute worker): ResNet3dCSN recognizers ir-CSN and ip-CSN at depths 50
// and 152, as configs/_base_/models/ircsn_r152.py. Each bottleneck's 3×3×3 conv is depthwise (groups = planes,
// our grouped conv3d op); 'ip' puts a 1×1×1 conv before it (conv2.0), 'ir' does not.
import type { CsnMode, ResNet3dSpec } from './resnet3d.ts';
import { DEPTHS, RESNET3D_DEFAULTS } from './resnet3d.ts';
import { buildResNet3dRecognizer } from './resnet3dModels.ts';
import type { ModelConfig, ZooModel } from './zooModel.ts';

/** ResNet3dCSN defaults: (3,7,7) stem, temporal strides (1,2,2,2), '3x3x3' inflation everywhere, BN eps 1e-3;
 *  the configs set with_pool2=False and zero_init_residual=False. */
export function csnSpec(depth: 50 | 152, mode: CsnMode): ResNet3dSpec {
  return {
    ...RESNET3D_DEFAULTS,
    ...DEPTHS[depth],
    baseChannels: 64,
    conv1Kernel: [3, 7, 7],
    conv1StrideT: 1,
    pool1StrideT: 1,
    withPool2: false,
    inflate: [1, 1, 1, 1],
    inflateStyle: '3x3x3',
    temporalStrides: [1, 2, 2, 2],
    bnEps: 1e-3,
    csn: mode,
    zeroInitResidual: false,
  };
}

export type CsnName = 'ircsn_r50' | 'ipcsn_r50' | 'ircsn_r152' | 'ipcsn_r152';

const CSN: Record<CsnName, readonly [50 | 152, CsnMode]> = {
  ircsn_r50: [50, 'ir'],
  ipcsn_r50: [50, 'ip'],
  ircsn_r152: [152, 'ir'],
  ipcsn_r152: [152, 'ip'],
};

/** A CSN recognizer; tiny: one block per stage, width × 1/8. */
export function buildCsn(name: CsnName, config: ModelConfig): ZooModel {
  const [depth, mode] = CSN[name];
  return buildResNet3dRecognizer(name, csnSpec(depth, mode), config);
}
