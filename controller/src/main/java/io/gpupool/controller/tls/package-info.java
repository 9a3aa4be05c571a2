/**
 * Transport security of the controller's gRPC port: the PEM files it serves TLS with ({@link
 * io.gpupool.controller.tls.ServerTls}), read and checked up front so that a wrong file fails the
 * start with a message naming its flag, and turned into gRPC server credentials ({@link
 * io.gpupool.controller.tls.ServerTlsCredentials}).
 *
 * <p>Depends on the JDK's certificate and key classes and grpc-api; never on the rest of the
 * controller.
 */
package io.gpupool.controller.tls;
