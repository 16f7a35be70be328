// Container colour information → WebCodecs VideoColorSpaceInit (any thread; pure). Used by the demuxers so the
// decoder converts YUV with the matrix the file declares (VP9 streams often carry it only in the container).

/** ISO/IEC 23091-2 code points (as in colr 'nclx', vpcC v1 and Matroska Colour) of one picture. */
export interface CodePoints {
  readonly primaries: number;
  readonly transfer: number;
  readonly matrix: number;
  readonly fullRange: boolean;
}

const PRIMARIES: Partial<Record<number, VideoColorPrimaries>> = { 1: 'bt709', 5: 'bt470bg', 6: 'smpte170m' };
const TRANSFER: Partial<Record<number, VideoTransferCharacteristics>> = {
  1: 'bt709',
  6: 'smpte170m',
  13: 'iec61966-2-1',
};
const MATRIX: Partial<Record<number, VideoMatrixCoefficients>> = {
  0: 'rgb',
  1: 'bt709',
  5: 'bt470bg',
  6: 'smpte170m',
};

/**
 * The colour space the code points name, or undefined when the matrix is unspecified or unknown to
 * WebCodecs (the decoder then uses what the bitstream says). Unknown primaries/transfer are left out.
 */
export function colourSpaceFromCodePoints(points: CodePoints): VideoColorSpaceInit | undefined {
  const matrix = MATRIX[points.matrix];
  if (matrix === undefined) return undefined;
  const primaries = PRIMARIES[points.primaries];
  const transfer = TRANSFER[points.transfer];
  return {
    matrix,
    fullRange: points.fullRange,
    ...(primaries === undefined ? {} : { primaries }),
    ...(transfer === undefined ? {} : { transfer }),
  };
}
