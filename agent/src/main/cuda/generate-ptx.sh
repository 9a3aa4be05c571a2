#!/bin/sh
# Generates the diagnostics' PTX from the .cu files next to this script into a directory (default:
# the agent's unfiltered resources). The PTX targets compute_75 and declares PTX ISA 7.0, so that
# drivers back to CUDA 11.0 load it; DiagnosticKernelsTest checks that the committed PTX is what
# this script writes and that ptxas accepts it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../cuda-resources/io/gpupool/agent/cuda"}
mkdir -p "$out"
for name in memory_bandwidth fma_throughput; do
  nvcc -ptx -arch=compute_75 -o "$out/$name.ptx.tmp" "$here/$name.cu"
  # nvcc writes its own version and build into comments and the newest ISA into .version.
  sed -e 's/^\.version .*/.version 7.0/' -e '/^\/\/ Compiler Build ID:/d' \
    -e '/^\/\/ Cuda compilation tools/d' -e '/^\/\/ Based on NVVM/d' \
    "$out/$name.ptx.tmp" >"$out/$name.ptx"
  rm "$out/$name.ptx.tmp"
done
