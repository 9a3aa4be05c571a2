package io.gpupool.controller.state;

import io.gpupool.proto.v1.ConnectResponse;

/**
 * The controller's end of one agent's Connect stream.
 *
 * <p>Implementations are thread-safe; sending never blocks (messages are buffered by gRPC).
 */
public interface AgentLink {

  /** Sends a command or acknowledgement to the agent; dropped if the stream has ended. */
  void send(ConnectResponse message);

  /** Ends the stream with UNAVAILABLE and a reason the agent logs; it will reconnect. */
  void close(String reason);
}
