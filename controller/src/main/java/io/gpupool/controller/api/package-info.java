/**
 * The gRPC edge: {@code SchedulerService} for clients and {@code AgentService} for agents.
 *
 * <p>Thin by design: validate the request (collecting every problem, each naming its field), hand
 * writes to the scheduling loop as events, read from the store or the node directory, and map
 * errors to status codes in one place ({@link io.gpupool.controller.api.StatusMapper}). No stack
 * trace ever crosses the wire. Depends on gRPC, the generated protos, {@code loop}, {@code store},
 * {@code watch}, {@code state} (credentials), {@code limits} and {@code error}.
 */
package io.gpupool.controller.api;
