// Entry point for weight files: sniffs the format from magic bytes and reads safetensors or torch.save zips into
// dotted-name tensor maps. Pure; compute worker (and Node for tests).
import { weightsError, type WeightTensor } from './dtypes.ts';
import { isZip, readPth, type PthReadOptions } from './pth.ts';
import { readSafetensors } from './safetensors.ts';

export type WeightsFormat = 'pytorch-zip' | 'safetensors' | 'pickle' | 'unknown';

/**
 * The format `bytes` start with: a ZIP signature (torch.save ≥ 1.6), a safetensors header (u64 length, then '{'),
 * or a pickle PROTO opcode (legacy torch.save or plain pickle, which we refuse).
 */
export function sniffWeightsFormat(bytes: Uint8Array): WeightsFormat {
  if (isZip(bytes)) return 'pytorch-zip';
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b) {
    // a header length below 4 GiB, then '{' (parseSafetensors reports a length that overruns the file)
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (dv.getUint32(4, true) === 0 && dv.getUint32(0, true) >= 2) return 'safetensors';
  }
  if (bytes[0] === 0x80 && (bytes[1] ?? 0) >= 2 && (bytes[1] ?? 0) <= 5) return 'pickle';
  return 'unknown';
}

export type ReadWeightsOptions = PthReadOptions;

/** Reads a .pth/.pt/.bin (torch.save zip) or .safetensors file, whatever its extension says. */
export async function readWeights(
  bytes: Uint8Array,
  fileName: string,
  options: ReadWeightsOptions = {},
): Promise<Map<string, WeightTensor>> {
  const format = sniffWeightsFormat(bytes);
  switch (format) {
    case 'safetensors':
      return readSafetensors(bytes, fileName, options.toFloat32 === true ? { toFloat32: true } : {});
    case 'pytorch-zip':
    case 'pickle': // readPth explains how to re-save a legacy file
      return readPth(bytes, fileName, options);
    case 'unknown':
      throw weightsError(
        'WEIGHTS_UNSUPPORTED',
        fileName,
        'is neither a safetensors file nor a torch.save checkpoint',
        'Tubelet reads .safetensors files and .pth/.pt files written by torch.save in PyTorch ≥ 1.6.',
      );
  }
}
