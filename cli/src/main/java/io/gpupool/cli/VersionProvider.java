package io.gpupool.cli;

import picocli.CommandLine.IVersionProvider;

/**
 * The version {@code gpupool --version} prints: the Implementation-Version the runnable jar's
 * manifest carries, or {@code dev} when running from classes. Stateless, thread-safe.
 */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = GpuPoolCommand.class.getPackage().getImplementationVersion();
    return new String[] {"gpupool " + (version == null ? "dev" : version)};
  }
}
