/**
 * High availability: which controller may serve. On a shared PostgreSQL store the controllers elect
 * one leader through a session-level advisory lock held on a dedicated connection ({@link
 * io.gpupool.controller.ha.LeaderElection}); the others wait as standbys and do not listen on gRPC.
 * The leader records a new epoch in {@code controller_leader}, the store fences every commit with
 * it, and a {@link io.gpupool.controller.ha.LeadershipWatchdog} stops the controller as soon as the
 * lock connection fails. On embedded H2 there is nothing to elect: {@link
 * io.gpupool.controller.ha.DataDirLock} keeps a second controller off the same data dir.
 *
 * <p>Depends on JDBC, the PostgreSQL driver and {@code store} (for {@link
 * io.gpupool.controller.store.LeadershipLostException}); never on the loop or the gRPC edge. Reads
 * no clock: the leader's start time is the database's {@code now()}.
 */
package io.gpupool.controller.ha;
