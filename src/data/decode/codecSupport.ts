// Probes what WebCodecs can decode and encode here (compute worker or page).
import { PROBED_CODECS, type CodecSupport } from '../../shared/protocol.ts';

const PROBE_SIZE = { codedWidth: 320, codedHeight: 240 } as const;

async function safe(probe: () => Promise<{ supported?: boolean | undefined }>): Promise<boolean> {
  try {
    return (await probe()).supported === true;
  } catch {
    return false;
  }
}

export async function probeCodecs(): Promise<CodecSupport[]> {
  const hasDecoder = typeof VideoDecoder !== 'undefined';
  const hasEncoder = typeof VideoEncoder !== 'undefined';
  return Promise.all(
    PROBED_CODECS.map(async ({ name, codec }) => ({
      name,
      codec,
      decode: hasDecoder && (await safe(() => VideoDecoder.isConfigSupported({ codec, ...PROBE_SIZE }))),
      encode:
        hasEncoder &&
        (await safe(() => VideoEncoder.isConfigSupported({ codec, width: 320, height: 240, bitrate: 1e6 }))),
    })),
  );
}
