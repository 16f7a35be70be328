// The device module in a real browser: limits raised to the adapter's, wanted features enabled, loss reported.
import { describe, expect, it } from 'vitest';
import { acquireGpu, loseGpuDevice, onGpuEvent, releaseGpu } from './device.ts';
import type { SystemEvent } from '../shared/protocol.ts';

describe('gpu/device', () => {
  it('requests the adapter maximum for storage-binding and workgroup limits', async () => {
    const { adapter, device, info } = await acquireGpu();
    expect(device.limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
    expect(device.limits.maxComputeWorkgroupStorageSize).toBe(adapter.limits.maxComputeWorkgroupStorageSize);
    expect(device.limits.maxBufferSize).toBe(adapter.limits.maxBufferSize);
    for (const feature of ['timestamp-query', 'subgroups', 'shader-f16'] as const) {
      expect(device.features.has(feature)).toBe(adapter.features.has(feature));
      expect(info.features.includes(feature)).toBe(adapter.features.has(feature));
    }
  });

  it('returns the same device to every caller', async () => {
    const [a, b] = await Promise.all([acquireGpu(), acquireGpu()]);
    expect(a.device).toBe(b.device);
  });

  it('reports uncaptured validation errors as coded events', async () => {
    const { device } = await acquireGpu();
    const events: SystemEvent[] = [];
    const off = onGpuEvent((e) => events.push(e));
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 50));
    off();
    expect(events.some((e) => e.type === 'gpu-error' && e.error.code === 'GPU_VALIDATION')).toBe(true);
  });

  it('reports a lost device with DEVICE_LOST and creates a fresh one afterwards', async () => {
    const { device } = await acquireGpu();
    const events: SystemEvent[] = [];
    const off = onGpuEvent((e) => events.push(e));
    // Simulate an unexpected loss: destroy() reports reason 'destroyed', which we ignore by design,
    // so this checks that deliberate releases stay silent and the next call gets a new device.
    await releaseGpu();
    await device.lost;
    off();
    expect(events.filter((e) => e.type === 'device-lost')).toHaveLength(0);
    const next = await acquireGpu();
    expect(next.device).not.toBe(device);
  });

  it('reports an unexpected loss once as DEVICE_LOST, settles `lost`, and announces the next device', async () => {
    const first = await acquireGpu();
    const events: SystemEvent[] = [];
    const off = onGpuEvent((e) => events.push(e));
    const error = await loseGpuDevice();
    expect(error).toMatchObject({ code: 'DEVICE_LOST' });
    expect(await first.lost).toBe(error);
    expect(events.filter((e) => e.type === 'device-lost')).toEqual([{ type: 'device-lost', error }]);
    const next = await acquireGpu();
    off();
    expect(next.device).not.toBe(first.device);
    expect(events.at(-1)).toEqual({ type: 'device-restored', gpu: next.info });
    // the new device works
    const buffer = next.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ });
    await buffer.mapAsync(GPUMapMode.READ);
    buffer.destroy();
  });
});
