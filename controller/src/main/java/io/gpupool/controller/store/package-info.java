/**
 * Durable state: tasks, task events and nodes, behind the {@link io.gpupool.controller.store.Store}
 * port, with one JDBC implementation (embedded H2 by default) and Flyway migrations; in the same
 * database, API tokens ({@link io.gpupool.controller.store.TokenStore}, hashes only) and the audit
 * log ({@link io.gpupool.controller.store.AuditStore}).
 *
 * <p>Implementations are thread-safe: the scheduling loop writes through {@link
 * io.gpupool.controller.store.Store#commit}, RPC threads read concurrently. Depends on the
 * generated protos, JDBC, HikariCP and Flyway; never on the loop or the gRPC edge. On a shared
 * PostgreSQL store, commits are fenced by the leader epoch ({@link
 * io.gpupool.controller.store.JdbcStore#requireLeaderEpoch}): a deposed leader's commit fails with
 * {@link io.gpupool.controller.store.LeadershipLostException} and writes nothing.
 */
package io.gpupool.controller.store;
