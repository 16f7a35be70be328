// Temporary GPU buffers (uniform blocks, split-K partials, transposed filters) tied to the command encoder that
// uses them, destroyed as soon as that encoder's commands are submitted. Any thread with a GPUDevice.

const pending = new WeakMap<GPUCommandEncoder, GPUBuffer[]>();

/** A buffer that lives until `releaseTransients(encoder)` (call it right after submitting the encoder). */
export function createTransient(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  label: string,
  byteLength: number,
  usage: number,
): GPUBuffer {
  const buffer = device.createBuffer({ label, size: Math.max(16, Math.ceil(byteLength / 16) * 16), usage });
  let list = pending.get(encoder);
  if (!list) {
    list = [];
    pending.set(encoder, list);
  }
  list.push(buffer);
  return buffer;
}

/** A transient uniform buffer holding 32-bit words (i32 or u32). */
export function uniformTransient(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  label: string,
  words: Int32Array | Uint32Array,
): GPUBuffer {
  const buffer = createTransient(
    device,
    encoder,
    label,
    words.byteLength,
    GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  );
  device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
  return buffer;
}

/** Destroys the encoder's transient buffers; the GPU keeps them alive until submitted work using them ends. */
export function releaseTransients(encoder: GPUCommandEncoder): void {
  const list = pending.get(encoder);
  pending.delete(encoder);
  for (const buffer of list ?? []) buffer.destroy();
}

/** Finishes and submits `encoder`, then releases its transient buffers. */
export function submitAndRelease(device: GPUDevice, encoder: GPUCommandEncoder): void {
  device.queue.submit([encoder.finish()]);
  releaseTransients(encoder);
}
