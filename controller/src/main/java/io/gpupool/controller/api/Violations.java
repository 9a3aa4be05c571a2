package io.gpupool.controller.api;

import com.google.protobuf.Message;
import io.gpupool.controller.error.ControllerException;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a request, each naming its field, then fails once with all. */
final class Violations {
  private final List<String> problems = new ArrayList<>();

  /** A collector that already holds the request's unknown fields, if it has any. */
  static Violations of(Message request) {
    Violations violations = new Violations();
    UnknownFields.check(request, "", violations);
    return violations;
  }

  void add(String field, String problem) {
    problems.add(field + ": " + problem);
  }

  void check(boolean ok, String field, String problem) {
    if (!ok) {
      add(field, problem);
    }
  }

  List<String> problems() {
    return problems;
  }

  /** Throws INVALID_ARGUMENT listing every problem, if there are any. */
  void throwIfAny() {
    if (!problems.isEmpty()) {
      throw ControllerException.invalid(String.join("; ", problems));
    }
  }
}
