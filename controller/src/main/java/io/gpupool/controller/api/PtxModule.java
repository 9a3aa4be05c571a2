package io.gpupool.controller.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What submit validation reads from a PTX module without compiling it: whether it declares its
 * {@code .version} and {@code .target}, and the names of its {@code .entry} kernels. Comments are
 * skipped, so a commented-out entry does not count. The driver checks the rest when the agent loads
 * the module.
 *
 * <p>Immutable; thread-safe.
 */
final class PtxModule {
  private static final Pattern COMMENTS = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);
  private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+\\d+\\.\\d+");
  private static final Pattern TARGET = Pattern.compile("(?m)^\\s*\\.target\\s+\\w+");
  private static final Pattern ENTRY =
      Pattern.compile("\\.entry\\s+([A-Za-z_$%][A-Za-z0-9_$%]*)\\s*\\(?");

  private final boolean hasVersion;
  private final boolean hasTarget;
  private final List<String> entries;

  private PtxModule(boolean hasVersion, boolean hasTarget, List<String> entries) {
    this.hasVersion = hasVersion;
    this.hasTarget = hasTarget;
    this.entries = List.copyOf(entries);
  }

  static PtxModule parse(String ptx) {
    String code = COMMENTS.matcher(ptx).replaceAll(" ");
    List<String> entries = new ArrayList<>();
    Matcher entry = ENTRY.matcher(code);
    while (entry.find()) {
      entries.add(entry.group(1));
    }
    return new PtxModule(VERSION.matcher(code).find(), TARGET.matcher(code).find(), entries);
  }

  boolean hasVersion() {
    return hasVersion;
  }

  boolean hasTarget() {
    return hasTarget;
  }

  /** The kernel names, in the order the module declares them. */
  List<String> entries() {
    return entries;
  }
}
