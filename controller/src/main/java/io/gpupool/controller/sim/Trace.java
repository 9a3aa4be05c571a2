package io.gpupool.controller.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A job trace: the jobs to replay, in {@link TraceJob#SUBMIT_ORDER}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name where it came from (a file name), for reports
 * @param jobs the jobs, sorted by submit time then id; ids are unique
 */
public record Trace(String name, List<TraceJob> jobs) {

  /**
   * Sorts the jobs into trace order.
   *
   * @throws IllegalArgumentException if two jobs share an id
   */
  public Trace {
    name = name == null ? "" : name;
    List<TraceJob> sorted = new ArrayList<>(jobs);
    sorted.sort(TraceJob.SUBMIT_ORDER);
    Set<String> ids = new HashSet<>();
    for (TraceJob job : sorted) {
      if (!ids.add(job.id())) {
        throw new IllegalArgumentException("job id '" + job.id() + "' appears twice");
      }
    }
    jobs = List.copyOf(sorted);
  }
}
