// Small helpers for labelled GPU buffers: upload, uniform blocks and read-back. Any thread with a GPUDevice.

/** Usage flags of storage buffers shared with TF.js (a function: GPUBufferUsage exists only where WebGPU does). */
export const storageUsage = (): number =>
  GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A storage buffer holding `data` (f32 or u32), usable by our kernels and by TF.js. */
export function uploadStorage(device: GPUDevice, label: string, data: Float32Array | Uint32Array): GPUBuffer {
  const buffer = device.createBuffer({ label, size: Math.max(4, data.byteLength), usage: storageUsage() });
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

export function createStorage(device: GPUDevice, label: string, byteLength: number): GPUBuffer {
  return device.createBuffer({
    label,
    size: Math.max(4, Math.ceil(byteLength / 4) * 4),
    usage: storageUsage(),
  });
}

/** A uniform buffer of u32 words, padded to 16 bytes. */
export function uploadUniformU32(device: GPUDevice, label: string, words: readonly number[]): GPUBuffer {
  const padded = new Uint32Array(Math.ceil(words.length / 4) * 4);
  padded.set(words);
  const buffer = device.createBuffer({
    label,
    size: padded.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, padded);
  return buffer;
}

/** Copies `byteLength` bytes of a storage buffer back to the CPU as f32. */
export async function readFloat32(
  device: GPUDevice,
  source: GPUBuffer,
  byteLength = source.size,
): Promise<Float32Array> {
  const staging = device.createBuffer({
    label: `${source.label}:readback`,
    size: byteLength,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: `${source.label}:readback` });
    encoder.copyBufferToBuffer(source, 0, staging, 0, byteLength);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}
