/**
 * End-to-end tests over loopback: a real controller (gRPC on a free port, H2 in a temp dir), real
 * agents with simulated GPUs running real processes, driven through the SDK, the CLI and buf curl.
 */
package io.gpupool.it;
