package io.gpupool.controller.store;

import io.gpupool.proto.v1.Node;

/**
 * A registered node.
 *
 * @param node id, name, GPU inventory, register time and agent version (no live telemetry)
 * @param credentialHash hex SHA-256 of the credential its agent presents on Connect
 * @param instanceId the agent process whose task updates were applied last
 * @param lastAppliedUpdate id of the last task update applied from that process; updates are
 *     applied in the same transaction that advances it, so a resent update is never applied twice
 */
public record NodeRecord(
    Node node, String credentialHash, String instanceId, long lastAppliedUpdate) {}
