/**
 * The gpupool node agent: {@link io.gpupool.agent.Agent#start} wires a node's device backend, its
 * task runner and its session with the controller, configured by an {@link
 * io.gpupool.agent.AgentConfig}. This is the package other modules (the CLI, the integration tests,
 * the hollow agents of the benchmarks) use; the subpackages are its parts.
 *
 * <p>May depend on every {@code io.gpupool.agent} subpackage, gRPC, the generated proto and slf4j.
 */
package io.gpupool.agent;
