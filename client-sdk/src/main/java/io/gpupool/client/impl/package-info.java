/**
 * The gRPC implementation of the client SDK: channel setup, retries, the resumable watch with flow
 * control, and the one place each for proto mapping ({@link io.gpupool.client.impl.ProtoMapper})
 * and error mapping ({@link io.gpupool.client.impl.ErrorMapper}).
 *
 * <p>Not an API: only {@link io.gpupool.client.impl.GrpcGpuPoolClient#create} is public, for {@link
 * io.gpupool.client.GpuPoolClientBuilder#build()}. May depend on {@link io.gpupool.client},
 * grpc-api/stub and the generated {@code io.gpupool.proto.v1} types; nothing else.
 */
package io.gpupool.client.impl;
