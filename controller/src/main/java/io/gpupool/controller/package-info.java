/**
 * The controller process: {@link io.gpupool.controller.Controller} wires the store, the scheduling
 * loop, the gRPC services (with health and reflection) and the HTTP endpoint together.
 *
 * <p>This is the only package that reads the system clock or opens ports; everything below it gets
 * them injected. Sub-packages: {@code core} (pure scheduling), {@code state} (the loop's mutable
 * cluster state), {@code loop} (the single writer), {@code store} (JDBC), {@code api} (gRPC edge),
 * {@code watch} (event fan-out), {@code auth} (tokens, access table, audit log), {@code limits}
 * (input limits), {@code http}, {@code error}, {@code ha} (which controller serves: leader election
 * on PostgreSQL, one controller per H2 data dir), {@code tls} (the gRPC port's TLS files, checked
 * and turned into server credentials).
 */
package io.gpupool.controller;
