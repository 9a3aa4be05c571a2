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
  // Leading blanks are [ \t\r\f], not \s: \s would cross line ends, and a module of many empty
  // lines would then take quadratic time to search (a 1 MiB one: minutes).
  private static final Pattern VERSION =
      Pattern.compile("(?m)^[ \\t\\r\\f]*\\.version[ \\t]+\\d+\\.\\d+");
  private static final Pattern TARGET = Pattern.compile("(?m)^[ \\t\\r\\f]*\\.target[ \\t]+\\w+");
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
    String code = withoutComments(ptx);
    List<String> entries = new ArrayList<>();
    Matcher entry = ENTRY.matcher(code);
    while (entry.find()) {
      entries.add(entry.group(1));
    }
    return new PtxModule(VERSION.matcher(code).find(), TARGET.matcher(code).find(), entries);
  }

  /**
   * {@code ptx} with each comment replaced by a space, in one pass: a regular expression for block
   * comments takes quadratic time on many unclosed {@code /*} (a hostile 1 MiB module: minutes).
   */
  static String withoutComments(String ptx) {
    StringBuilder code = new StringBuilder(ptx.length());
    boolean blockCanClose = true; // false once no "*/" follows: later "/*" are plain text
    int i = 0;
    while (i < ptx.length()) {
      int end;
      if (ptx.startsWith("//", i)) {
        end = ptx.indexOf('\n', i);
        code.append(' ');
        i = end < 0 ? ptx.length() : end;
      } else if (blockCanClose
          && ptx.startsWith("/*", i)
          && (end = ptx.indexOf("*/", i + 2)) >= 0) {
        code.append(' ');
        i = end + 2;
      } else {
        if (ptx.startsWith("/*", i)) {
          blockCanClose = false;
        }
        code.append(ptx.charAt(i));
        i++;
      }
    }
    return code.toString();
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
