/**
 * Plumbing around the wire API that every side needs: how a list of controller addresses becomes
 * one gRPC channel target. Depends on grpc-api only.
 */
package io.gpupool.wire;
