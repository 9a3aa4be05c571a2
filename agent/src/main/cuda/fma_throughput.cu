// FMA-throughput diagnostic of gpupool: every thread runs eight independent chains of dependent
// single-precision fused multiply-adds (x = x * a + b) in registers, then writes the sum of the
// chains, so the compiler can neither drop nor fold the work. Every thread computes the same value,
// which the host recomputes with Math.fma to check the result; the throughput is 2 * fmas / time.
// Regenerate the PTX with generate-ptx.sh after editing.

extern "C" __global__ void gpupool_fma(float* out, int iterations, float a, float b) {
  float x0 = 1.0f, x1 = 2.0f, x2 = 3.0f, x3 = 4.0f, x4 = 5.0f, x5 = 6.0f, x6 = 7.0f, x7 = 8.0f;
#pragma unroll 16
  for (int i = 0; i < iterations; ++i) {
    x0 = fmaf(x0, a, b);
    x1 = fmaf(x1, a, b);
    x2 = fmaf(x2, a, b);
    x3 = fmaf(x3, a, b);
    x4 = fmaf(x4, a, b);
    x5 = fmaf(x5, a, b);
    x6 = fmaf(x6, a, b);
    x7 = fmaf(x7, a, b);
  }
  out[(unsigned long long)blockIdx.x * blockDim.x + threadIdx.x] =
      ((((((x0 + x1) + x2) + x3) + x4) + x5) + x6) + x7;
}
