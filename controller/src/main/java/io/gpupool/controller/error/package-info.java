/**
 * Domain errors of the controller: what went wrong, in words a user can act on, and which kind of
 * error it is. The gRPC edge ({@code api}) maps the kind to a status code in one place.
 *
 * <p>Depends on {@code java.*} only.
 */
package io.gpupool.controller.error;
