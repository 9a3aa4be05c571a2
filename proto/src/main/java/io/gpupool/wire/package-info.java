/**
 * Plumbing around the wire API that every side needs: how a list of controller addresses becomes
 * one gRPC channel target, how the PEM files of the TLS options are checked ({@link
 * io.gpupool.wire.PemFiles}), and how a failed TLS handshake is explained ({@link
 * io.gpupool.wire.TlsHandshakeFailures}). Depends on grpc-api only.
 */
package io.gpupool.wire;
