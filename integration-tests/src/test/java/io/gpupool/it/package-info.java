/**
 * End-to-end tests over loopback: a real controller (gRPC on a free port, H2 in a temp dir), real
 * agents with simulated GPUs running real processes, driven through the SDK, the CLI and buf curl.
 * Most run the servers in the test JVM ({@code TestCluster}); the chaos and failover tests run each
 * controller and agent as its own OS process from the runnable jar ({@code ProcessCluster}), so
 * that they can kill them with SIGKILL.
 */
package io.gpupool.it;
