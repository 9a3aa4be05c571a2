package io.gpupool.controller.testing;

import io.gpupool.controller.state.AgentLink;
import io.gpupool.proto.v1.ConnectResponse;
import java.util.ArrayList;
import java.util.List;

/** An agent link that records what the controller sends. */
public final class RecordingLink implements AgentLink {
  public final List<ConnectResponse> sent = new ArrayList<>();
  public String closedWith;

  @Override
  public synchronized void send(ConnectResponse message) {
    sent.add(message);
  }

  @Override
  public synchronized void close(String reason) {
    closedWith = reason;
  }

  public synchronized List<String> startedTaskIds() {
    return sent.stream()
        .filter(ConnectResponse::hasStartTask)
        .map(m -> m.getStartTask().getTaskId())
        .toList();
  }

  public synchronized List<String> cancelledTaskIds() {
    return sent.stream()
        .filter(ConnectResponse::hasCancelTask)
        .map(m -> m.getCancelTask().getTaskId())
        .toList();
  }

  public synchronized long lastAck() {
    return sent.stream()
        .filter(ConnectResponse::hasAck)
        .mapToLong(m -> m.getAck().getUpdateId())
        .max()
        .orElse(0);
  }
}
