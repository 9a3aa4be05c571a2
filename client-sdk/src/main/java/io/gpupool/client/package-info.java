/**
 * The gpupool client SDK: submit GPU tasks to a gpupool controller and follow them to the end.
 *
 * <p>Start at {@link io.gpupool.client.GpuPoolClient#builder()}. Everything in this package is the
 * public API: interfaces, immutable value types and the one exception {@link
 * io.gpupool.client.GpuPoolException}. No generated protobuf or gRPC type appears in it, except
 * {@code io.grpc.ManagedChannel} in {@link io.gpupool.client.GpuPoolClientBuilder#channel}.
 *
 * <p>Depends on the JDK and, only in {@link io.gpupool.client.GpuPoolClientBuilder#build()}, on
 * {@link io.gpupool.client.impl}, which holds the gRPC implementation.
 */
package io.gpupool.client;
