/**
 * The controller's HTTP endpoint (JDK HTTP server): {@code /healthz} for process supervisors and
 * load balancers. Depends on the JDK only.
 */
package io.gpupool.controller.http;
