package io.gpupool.controller.loop;

import io.gpupool.controller.state.AgentLink;
import io.gpupool.proto.v1.AgentHello;
import io.gpupool.proto.v1.Heartbeat;
import io.gpupool.proto.v1.Node;
import io.gpupool.proto.v1.RegisterRequest;
import io.gpupool.proto.v1.Task;
import io.gpupool.proto.v1.TaskSpec;
import io.gpupool.proto.v1.TaskUpdate;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Something the scheduling loop must apply. Replies complete only after the change is durable. */
public sealed interface LoopEvent {

  /**
   * The future the caller waits on, or null for events nobody waits on (agent messages). Events
   * with a reply declare it as their {@code reply} component, which overrides this.
   */
  default CompletableFuture<?> reply() {
    return null;
  }

  /**
   * A validated submit; the reply lists the created tasks (several for a gang, by rank). {@code
   * submittedBy} is the submitting token's id (Task.submitted_by), empty without one.
   */
  record Submit(
      TaskSpec spec, String requestId, String submittedBy, CompletableFuture<List<Task>> reply)
      implements LoopEvent {
    /** A submit without a known submitter. */
    public Submit(TaskSpec spec, String requestId, CompletableFuture<List<Task>> reply) {
      this(spec, requestId, "", reply);
    }
  }

  /** A cancel request. */
  record Cancel(String taskId, CompletableFuture<Task> reply) implements LoopEvent {}

  /** An admin (un)cordons a node, named by id or name. */
  record Cordon(String node, boolean cordoned, CompletableFuture<Node> reply)
      implements LoopEvent {}

  /** An admin ends the quarantine of a GPU on a node named by id or name; the reply is the node. */
  record ClearQuarantine(String node, int deviceIndex, CompletableFuture<Node> reply)
      implements LoopEvent {}

  /** An agent registered with a valid join token; its new credential's hash is given. */
  record Register(RegisterRequest request, String credentialHash, CompletableFuture<Void> reply)
      implements LoopEvent {}

  /** The first message of a Connect stream. */
  record Hello(AgentHello hello, AgentLink link, CompletableFuture<Void> reply)
      implements LoopEvent {}

  /** A heartbeat on an established stream. */
  record HeartbeatReceived(String nodeId, AgentLink link, Heartbeat heartbeat)
      implements LoopEvent {}

  /** A task update on an established stream. */
  record UpdateReceived(String nodeId, AgentLink link, TaskUpdate update) implements LoopEvent {}

  /** A Connect stream ended. */
  record SessionEnded(String nodeId, AgentLink link) implements LoopEvent {}
}
