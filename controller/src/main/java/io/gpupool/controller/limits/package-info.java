/**
 * The controller's input limits, in one place: how big, how many and how fast what clients and
 * agents send may be. {@code api} checks requests against them at the edge (INVALID_ARGUMENT naming
 * the field and the limit; RESOURCE_EXHAUSTED for an oversized message), {@code loop} applies the
 * per-task log limits. The README's "Limits" table lists the same numbers; change both together.
 *
 * <p>Constants, and UTF-8 sizes to measure against them; depends on nothing.
 */
package io.gpupool.controller.limits;
