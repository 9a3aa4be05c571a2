/**
 * The agent's session with the controller: registration with the join token, the node identity kept
 * in the state dir, and the one bidirectional {@code Connect} stream that carries heartbeats and
 * task updates up and commands down, reconnecting with jittered backoff. Task updates stay in an
 * {@link io.gpupool.agent.session.UpdateOutbox} until the controller acknowledges them and are
 * resent after a reconnect, so a terminal state is never lost.
 *
 * <p>May depend on {@code io.gpupool.agent.device}, the generated proto and gRPC stubs and slf4j.
 * It does not know how tasks run: commands go out through {@link
 * io.gpupool.agent.session.TaskCommands}.
 */
package io.gpupool.agent.session;
