/**
 * The gRPC edge: {@code SchedulerService} for clients, {@code AdminService} for tokens, identity
 * and the audit log, and {@code AgentService} for agents.
 *
 * <p>Thin by design: validate the request (collecting every problem, each naming its field), hand
 * writes to the scheduling loop as events, read from the store or the node directory, and map
 * errors to status codes in one place ({@link io.gpupool.controller.api.StatusMapper}). No stack
 * trace ever crosses the wire. Who may call an RPC at all is decided before a call gets here, by
 * {@code auth}; the services narrow users and viewers to their tenant's tasks, reading the caller
 * from {@link io.gpupool.controller.auth.Principal#current()}. Depends on gRPC, the generated
 * protos, {@code auth}, {@code loop}, {@code store}, {@code watch}, {@code state} (credentials),
 * {@code limits} and {@code error}.
 */
package io.gpupool.controller.api;
