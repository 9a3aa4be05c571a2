/**
 * The client subcommands of {@code gpupool} ({@code submit}, {@code get}, {@code list}, {@code
 * logs}, {@code watch}, {@code cancel}, {@code nodes}, {@code top}, {@code gpu}, {@code token},
 * {@code whoami}, {@code audit}, ...): they call the controller's {@code SchedulerService} and
 * {@code AdminService} through the generated stubs, presenting the token of {@code --token},
 * GPUPOOL_TOKEN or {@link io.gpupool.cli.client.SavedTokens}, and print the answers as text or as
 * proto3 JSON.
 *
 * <p>May depend on picocli, grpc-api/stub, the generated {@code io.gpupool.proto.v1} types,
 * protobuf-java-util and {@link io.gpupool.cli.text}; never on the controller or agent modules, nor
 * on {@code io.gpupool.cli} (the top-level command depends on this package, not the reverse). The
 * commands print only through picocli's out/err writers so tests can capture them; live displays
 * (watch's progress line, top's screen) are used only when {@link io.gpupool.cli.client.Terminal}
 * says stdout is a terminal.
 */
package io.gpupool.cli.client;
