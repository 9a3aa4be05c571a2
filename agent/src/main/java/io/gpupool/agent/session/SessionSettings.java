package io.gpupool.agent.session;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the session needs to know about the node and its timing.
 *
 * @param nodeId the persisted node id
 * @param nodeName the name the node registers with
 * @param joinToken the cluster's join token
 * @param agentVersion version of the agent software, reported at registration
 * @param heartbeatInterval the heartbeat interval unless the controller asks for another
 * @param sampleInterval how often the devices are sampled; heartbeats carry the latest sample
 * @param backoffMin the shortest delay before a reconnect
 * @param backoffMax the longest delay before a reconnect
 * @param labels the node's labels, sent at registration
 * @param stopWorkAfterDisconnect how long the node may be without an accepted session before its
 *     running tasks are stopped; empty to keep them running however long the controller is away
 */
public record SessionSettings(
    String nodeId,
    String nodeName,
    String joinToken,
    String agentVersion,
    Duration heartbeatInterval,
    Duration sampleInterval,
    Duration backoffMin,
    Duration backoffMax,
    Map<String, String> labels,
    Optional<Duration> stopWorkAfterDisconnect) {

  /** Checks that nothing is missing. */
  public SessionSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nodeName, "nodeName");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(joinToken, "joinToken");
    Objects.requireNonNull(agentVersion, "agentVersion");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(sampleInterval, "sampleInterval");
    Objects.requireNonNull(backoffMin, "backoffMin");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(stopWorkAfterDisconnect, "stopWorkAfterDisconnect");
  }

  @Override
  public String toString() {
    return "SessionSettings[nodeId=" + nodeId + ", nodeName=" + nodeName + ", joinToken=***]";
  }
}
