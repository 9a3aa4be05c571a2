// Memory-bandwidth diagnostic of gpupool: every thread copies 32-bit words of a large buffer in a
// grid-stride loop, so the launch streams the whole buffer through device memory once (one read and
// one write per word). The host checks that the destination equals the source and computes the
// bandwidth as 2 * bytes / time. Regenerate the PTX with generate-ptx.sh after editing.

extern "C" __global__ void gpupool_copy(const unsigned int* __restrict__ source,
                                        unsigned int* __restrict__ destination,
                                        unsigned long long words) {
  unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
  for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < words;
       i += stride) {
    destination[i] = source[i];
  }
}
