/**
 * Fan-out of committed task events to the clients watching them.
 *
 * <p>Thread-safe: the scheduling loop publishes after each commit, RPC threads subscribe and
 * unsubscribe. Depends on the generated protos only.
 */
package io.gpupool.controller.watch;
