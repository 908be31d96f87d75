// The pure parts of instance.create's capacity look: what the quotas leave room for,
// and the backoff of `capacity: wait` between looks.
import { describe, expect, it } from 'vitest';
import { CAPACITY_MAX_DELAY_MS, capacityDelayMs, quotaShortfall } from '../../../src/actions/capacity.js';

const GPU_TYPE = 'vcpu-8_memory-48g_nvidia-rtx-3090-2';
const gpuQuota = (capacity: number, used: number) => ({
  key: 'gpu-nvidia-rtx-3090',
  capacity,
  used,
  flavors: [{ flavor_name: GPU_TYPE, product_name: 'NVIDIA GeForce RTX 3090', per: 'gpu', used }],
});

describe('quotaShortfall', () => {
  it('counts the GPUs of the type against its quota', () => {
    expect(quotaShortfall([gpuQuota(8, 6)], GPU_TYPE)).toBeUndefined();
    expect(quotaShortfall([gpuQuota(8, 7)], GPU_TYPE)).toBe(
      'quota gpu-nvidia-rtx-3090 full (7 of 8 used, 2 needed)',
    );
  });

  it('counts the vCPUs of the type against the vcpu quota', () => {
    const vcpu = (used: number) => [{ key: 'vcpu', capacity: 16, used, flavors: [] }];
    expect(quotaShortfall(vcpu(8), GPU_TYPE)).toBeUndefined();
    expect(quotaShortfall(vcpu(9), GPU_TYPE)).toMatch(/^quota vcpu full/);
  });

  it('leaves types the quotas say nothing about alone', () => {
    expect(quotaShortfall([gpuQuota(8, 8)], 'vcpu-2_memory-4g')).toBeUndefined();
    expect(quotaShortfall([], GPU_TYPE)).toBeUndefined();
  });
});

describe('capacityDelayMs', () => {
  it('starts at the poll interval and doubles up to a minute', () => {
    expect([0, 1, 2, 3].map((n) => capacityDelayMs(10_000, n))).toEqual([10_000, 20_000, 40_000, 60_000]);
    expect(capacityDelayMs(10_000, 50)).toBe(CAPACITY_MAX_DELAY_MS);
  });

  it('never looks more often than the poll interval', () => {
    expect(capacityDelayMs(120_000, 0)).toBe(120_000);
    expect(capacityDelayMs(120_000, 5)).toBe(120_000);
  });
});
