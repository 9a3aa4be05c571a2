package io.gpupool.client;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The built-in diagnostics as a task's workload: the chosen checks run on every GPU the task gets,
 * and the task's {@link Task#diagnosticReport()} says how each GPU did. A diagnostic that passes on
 * a quarantined GPU ends its quarantine. Immutable.
 *
 * @param checks the checks to run; empty runs all of them
 */
public record Diagnostic(Set<DiagnosticCheck> checks) {
  /** Copies the checks, keeping them in {@link DiagnosticCheck} order. */
  public Diagnostic {
    EnumSet<DiagnosticCheck> copy = EnumSet.noneOf(DiagnosticCheck.class);
    copy.addAll(checks);
    checks = Collections.unmodifiableSet(copy);
  }

  /** Returns the diagnostics with every check. */
  public static Diagnostic all() {
    return new Diagnostic(Set.of());
  }

  /** Returns the diagnostics with the given checks; none means all. */
  public static Diagnostic of(DiagnosticCheck... checks) {
    return new Diagnostic(Set.of(checks));
  }
}
